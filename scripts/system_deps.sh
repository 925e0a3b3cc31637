#!/bin/sh
# The system packages the tests use, installed where this machine allows it. `make test` runs
# this first. A machine that has them all: nothing printed, nothing slow (one dpkg-query each).
# Debian/Ubuntu as root or with passwordless sudo: the missing ones are installed with apt-get.
# Anywhere else: one line names what is missing and which tests will skip. Never fails.
# AUDIOML_NO_SYSTEM_DEPS=1 skips this step.
PACKAGES="chromium chromium-driver espeak-ng sox libsndfile1 graphviz fonts-dejavu-core postgresql"
SKIPS="the browser tests skip without chromium, the generated-speech tests without espeak-ng and sox, the shared-study test without postgresql"
export LC_ALL=C

[ -n "${AUDIOML_NO_SYSTEM_DEPS:-}" ] && exit 0

missing_packages() {
    for package in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q ' installed$' || printf '%s ' "$package"
    done
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    # Not Debian or Ubuntu: nothing is installed; say which of the tools the tests call are absent.
    missing=""
    [ -x "${AUDIOML_CHROMIUM:-/usr/bin/chromium}" ] || command -v chromium >/dev/null 2>&1 || missing="chromium"
    for tool in espeak-ng sox; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    [ -n "$missing" ] && echo "system_deps: not Debian/Ubuntu, nothing installed; missing: ${missing# } ($SKIPS)"
    exit 0
fi

missing=$(missing_packages)
[ -z "$missing" ] && exit 0
missing=${missing% }

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "system_deps: missing $missing (not root and no passwordless sudo; sudo apt-get install $missing); $SKIPS"
    exit 0
fi

echo "system_deps: installing $missing (apt-get, once)"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
installable=""
for package in $missing; do   # Ubuntu has no "chromium" deb, for one: install what exists
    apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [^(]' && installable="$installable $package"
done
if [ -n "$installable" ]; then
    # shellcheck disable=SC2086 # one word per package
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $installable \
        >/dev/null 2>&1
fi
still=$(missing_packages)
[ -n "$still" ] && echo "system_deps: could not install ${still% } (apt-get failed or no such package here); $SKIPS"
exit 0
