// Command commander is the product the change was made for.
package main

import (
	"fmt"

	"example.com/mews/internal/billing"
	"example.com/mews/internal/shared"
)

func main() { fmt.Println(shared.Banner("commander"), billing.Total(2, 3)) }
