#!/bin/sh
# The image's entrypoint (run under tini, which reaps children and forwards signals).
# Which config: `--config PATH` given to the container wins; else a mounted config folder
# ($MONITOR_CONFIG_DIR, default /config) holding monitor.toml; else $MONITOR_CONFIG; else the
# config baked into the image, with the SQLite database in the /data volume.
# Then `monitor init` (idempotent; its report on stderr) and the command (default: run).
set -eu
config_dir=${MONITOR_CONFIG_DIR:-/config}
data_dir=${MONITOR_DATA_DIR:-/data}
explicit=""
prev=""
for arg in "$@"; do
  case "$arg" in
    --config=*) explicit=${arg#--config=} ;;
  esac
  [ "$prev" = "--config" ] && explicit=$arg
  prev=$arg
done
if [ -z "$explicit" ]; then
  if [ -f "$config_dir/monitor.toml" ]; then
    export MONITOR_CONFIG="$config_dir/monitor.toml"
  elif [ -z "${MONITOR_CONFIG:-}" ]; then
    export MONITOR_CONFIG="${MONITOR_BAKED_CONFIG:-/app/config/monitor.toml}"
    # the baked config keeps its data in the volume
    : "${MONITOR_DATABASE__URL:=sqlite:///$data_dir/monitor.db}"
    : "${MONITOR_DATABASE__DATA_DIR:=$data_dir}"
    export MONITOR_DATABASE__URL MONITOR_DATABASE__DATA_DIR
  fi
fi
[ "$#" -eq 0 ] && set -- run
if [ -n "$explicit" ]; then
  monitor --config "$explicit" init >&2
else
  monitor init >&2
fi
exec monitor "$@"
