# lib-apt.sh - sourced by zsfrag's scripts: install missing Debian packages.
#
# zsk_apt_need PKG...   installs the packages that `dpkg -s` does not know,
#                       with `apt-get install -y --no-install-recommends`;
#                       when that fails, runs `apt-get update` once and tries
#                       again. Returns 1 (after saying why on stderr) when a
#                       package is still missing.
# zsk_apt_updated       `apt-get update`, at most once per script run; tried up to
#                       3 times (a mirror in the middle of a sync serves index files
#                       whose size does not match its Release file for a while).
#                       Returns 1 when every try reported an error: apt may still
#                       have usable lists (an error in one index leaves the others).
#
# Installing needs root; without it the function only reports what is missing.

ZSK_APT_UPDATED=0

zsk_apt_updated() {
	[ "$ZSK_APT_UPDATED" = 1 ] && return 0
	ZSK_APT_UPDATED=1
	local try
	for try in 1 2 3; do
		echo "apt: apt-get update (try $try of 3)" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 && return 0
		[ $try = 3 ] || sleep 20
	done
	return 1
}

zsk_apt_need() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "apt: missing packages (run as root to install): ${missing[*]}" >&2
		return 1
	fi
	echo "apt: installing ${missing[*]}" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >&2; then
		zsk_apt_updated || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >&2 || {
			echo "apt: could not install ${missing[*]}" >&2
			return 1
		}
	fi
	return 0
}
