// Package faultproxy is a TCP proxy for fault tests: it forwards to a real
// service (PostgreSQL, Redis) until Cut, which drops every connection and
// refuses new ones, and Restore, which serves again on the same address.
package faultproxy
