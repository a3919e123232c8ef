# Shell helpers for the benchmark scripts (sourced): the BENCH| result line
# of docs/benchmarking.md, with its ratio.

# ratio A B: A / B with two decimals (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0) ? a / b : 0 }'; }

# report BENCHMARK METRIC VALUE UNIT [PEER PEER_VALUE]
report() {
    if [ $# -ge 6 ]; then
        echo "BENCH|$1|$2|$3|$5|$6|$4|$(ratio "$3" "$6")"
    else
        echo "BENCH|$1|$2|$3|-|-|$4|-"
    fi
}
