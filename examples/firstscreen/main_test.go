package main

// The README opens with main.go, byte for byte (readme_test.go in the
// repository root checks that); this runs it, offline, and checks what it
// prints.
func Example() {
	main()
	// Output:
	// smart2pay:card:210001 authorized 49.99 EUR
	// smart2pay:card:210001 captured 49.99 EUR
}
