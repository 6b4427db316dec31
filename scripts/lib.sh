# Shared helpers for scripts/*. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail
BOX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Build outputs live outside the tree unless the caller chose a place.
export BOX_ARTIFACTS=${BOX_ARTIFACTS:-$BOX_ROOT/artifacts}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
