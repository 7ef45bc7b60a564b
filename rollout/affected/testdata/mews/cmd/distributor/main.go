// Command distributor is the product nobody checked.
package main

import (
	"fmt"

	"example.com/mews/internal/shared"
)

func main() { fmt.Println(shared.Banner("distributor")) }
