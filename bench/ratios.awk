# Reads `go test -bench BenchmarkAuth -benchmem -count N` output and prints
# the median ns/op and allocs/op of each sub-benchmark, and the targets of
# BENCHMARKS.md: the overhead over `bare` of ginurin-cached against gin-jwt's
# (at most 0.2), and the extra allocations of ginurin-cached (at most 6).
#   awk -f ratios.awk bench.txt
function median(s,    n, a, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^BenchmarkAuth\// {
	name = $1; sub(/^BenchmarkAuth\//, "", name); sub(/-[0-9]+$/, "", name)
	if (!(name in ns)) order[++count] = name
	for (i = 2; i <= NF; i++) {
		if ($i == "ns/op") ns[name] = ns[name] " " $(i - 1)
		if ($i == "allocs/op") allocs[name] = allocs[name] " " $(i - 1)
	}
}
END {
	printf "%-18s %12s %10s\n", "sub-benchmark", "ns/op", "allocs/op"
	for (k = 1; k <= count; k++) {
		n = order[k]; m[n] = median(ns[n]); al[n] = median(allocs[n])
		printf "%-18s %12.0f %10d\n", n, m[n], al[n]
	}
	if (("bare" in m) && ("ginurin-cached" in m) && ("gin-jwt" in m)) {
		oc = m["ginurin-cached"] - m["bare"]; oj = m["gin-jwt"] - m["bare"]
		printf "overhead over bare: ginurin-cached %.0f ns, gin-jwt %.0f ns, ratio %.3f (target <= 0.2)\n", oc, oj, oc / oj
		printf "extra allocs/op of ginurin-cached: %d (target <= 6)\n", al["ginurin-cached"] - al["bare"]
		if ("ginurin-sqlite" in m) printf "ginurin-sqlite overhead / gin-jwt overhead: %.2f\n", (m["ginurin-sqlite"] - m["bare"]) / oj
		if ("ginurin-postgres" in m) printf "ginurin-postgres overhead / gin-jwt overhead: %.2f\n", (m["ginurin-postgres"] - m["bare"]) / oj
	}
}
