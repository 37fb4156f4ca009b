# Sourced by scripts/replica-check and scripts/failover-check (which set $scenario and $port):
# the binary, the ports, a work folder that `postgres` can reach when we are root, cleanup.
config=debug
keep=false
while [ $# -gt 0 ]; do
    case "$1" in
        --release) config=release ;;
        --keep) keep=true ;;
        *) sed -n '2,20p' "$0" | sed -n '/^#/p' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    shift
done

if [ -n "${PLEDGER_BIN:-}" ]; then
    bin=$PLEDGER_BIN
else
    source scripts/swift-env.sh
    echo "== build ($config)"
    swift build -c "$config" --product pledger
    bin=$(swift build -c "$config" --show-bin-path)/pledger
fi
[ -x "$bin" ] || { echo "$scenario-check: no executable pledger at $bin" >&2; exit 2; }

standby_port=$((port + 1))
http_port=$((port + 2))
compare_port=$((port + 3))
for p in "$port" "$standby_port" "$http_port" "$compare_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "$scenario-check: port $p is in use; set PLEDGER_REPLICA_CHECK_PGPORT to the first of 4 free ports" >&2
        exit 2
    fi
done

work=$(mktemp -d "/var/tmp/pledger-$scenario.XXXXXX")
chmod 755 "$work"
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    local d
    for d in "$work"/node-*; do
        [ -f "$d/postmaster.pid" ] && as_owner /usr/lib/postgresql/15/bin/pg_ctl -D "$d" -m immediate stop >/dev/null 2>&1 || true
    done
    if $keep; then
        echo "$scenario-check: kept $work (clusters stopped)"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
python3 tools/replication-check.py "$scenario" --bin "$bin" --work "$work" --primary-port "$port" --standby-port "$standby_port" \
    --http-port "$http_port" --compare-port "$compare_port" || status=$?
exit $status
