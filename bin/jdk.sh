# Sourced by jxdp's scripts: sets JAVA_HOME to a JDK 25 or newer, or exits 2 with one line saying what to
# install. Order: $JAVA_HOME if it is 25+, then the newest /usr/lib/jvm/*25* (and later) JDK, then `java` on PATH.
jxdp_java_major() {  # prints the major version of the JDK at $1, or nothing
  local v
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  echo "${v%%.*}"
}
jxdp_find_jdk() {
  local cand major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(jxdp_java_major "$JAVA_HOME")
    [ -n "$major" ] && [ "$major" -ge 25 ] && return 0
  fi
  for cand in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    cand=${cand%/}
    major=$(jxdp_java_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then JAVA_HOME=$cand; return 0; fi
  done
  if command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(jxdp_java_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then JAVA_HOME=$cand; return 0; fi
  fi
  echo "jxdp: needs a JDK 25 or newer: set JAVA_HOME to one, or install it under /usr/lib/jvm (e.g. apt-get install temurin-25-jdk or openjdk-25-jdk)" >&2
  exit 2
}
jxdp_find_jdk
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# JXDP_MVN: Maven to build with: `mvn` when it is on PATH, else the Maven wrapper beside the sources
# (./mvnw, which fetches Maven on first use), so a fresh machine needs only the JDK
if command -v mvn >/dev/null 2>&1; then
  JXDP_MVN=mvn
else
  JXDP_MVN="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)/mvnw"
fi
