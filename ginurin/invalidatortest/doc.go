// Package invalidatortest is the conformance suite of ginurin.Invalidator
// implementations, with a TCP proxy that tests use to cut an instance off
// its channel.
package invalidatortest
