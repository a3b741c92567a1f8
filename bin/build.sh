# Sourced by jxdp's scripts after bin/jdk.sh: builds the core jar when it is missing or older than a
# source (quietly, one line on stderr), then sets JXDP_CP to its class path. Exits 2 if the build fails.
jxdp_ensure_built() {
  local root=$1 target=$1/core/target jar log
  jar=$target/jxdp-core-0.1.0-SNAPSHOT.jar
  if [ ! -f "$jar" ] || [ ! -d "$target/lib" ] \
     || [ -n "$(find "$root/core/src/main" "$root/core/pom.xml" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "building jxdp…" >&2
    log=$(mktemp)
    if ! (cd "$root" && "$JXDP_MVN" -B -q -ntp -pl core -am package -Dmaven.test.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >"$log" 2>&1); then
      grep -v '^WARNING' "$log" | tail -n 30 >&2
      echo "jxdp: the build failed (full log: $log)" >&2
      exit 2
    fi
    rm -f "$log" "$target/jxdp.jsa"
  fi
  JXDP_CP="$jar:$target/lib/*"
}
