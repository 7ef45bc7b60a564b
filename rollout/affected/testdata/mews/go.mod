module example.com/mews

go 1.25
