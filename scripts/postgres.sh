#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for trying the dbt `postgres` target (tests/test_postgres.py uses it).
#   scripts/postgres.sh start <data-dir> <port>   initdb (trust auth, user "shopfloor", database "shopfloor"), start
#   scripts/postgres.sh stop <data-dir>           stop it fast; the data dir is yours to delete
# PostgreSQL refuses to run as root: as root, the server runs as the "postgres" user that Debian's package creates,
# so <data-dir> must then sit in a folder that user can enter (e.g. /tmp/<name>, not pytest's tmp_path).
# Needs Debian's postgresql package (apt-get install postgresql); nothing here touches the system's own cluster.
set -euo pipefail

command=${1:?usage: postgres.sh start <data-dir> <port> | stop <data-dir>}
data_dir=$(realpath -m "${2:?data dir missing}")
bin_dir=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
if [ ! -x "$bin_dir/initdb" ]; then
    echo "postgres.sh: no PostgreSQL server found; install it with: apt-get install postgresql" >&2
    exit 1
fi

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    port=${3:?port missing}
    mkdir -p "$data_dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$data_dir"
    chmod 700 "$data_dir"
    as_server_user "$bin_dir/initdb" --pgdata="$data_dir/cluster" --username=shopfloor --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$data_dir/initdb.log"
    # Loopback TCP only, socket in the data dir (not /run/postgresql, which may not exist or be the system's).
    as_server_user "$bin_dir/pg_ctl" --pgdata="$data_dir/cluster" --log="$data_dir/server.log" --wait \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$data_dir' -c fsync=off" start >/dev/null
    as_server_user "$bin_dir/createdb" --host=127.0.0.1 --port="$port" --username=shopfloor shopfloor
    ;;
stop)
    as_server_user "$bin_dir/pg_ctl" --pgdata="$data_dir/cluster" --mode=immediate --wait stop >/dev/null
    ;;
*)
    echo "usage: postgres.sh start <data-dir> <port> | stop <data-dir>" >&2
    exit 2
    ;;
esac
