#!/bin/bash
# run-in-netns.sh PROGRAM [ARGS...]: run PROGRAM inside namespace A of a
# fresh pair (nft-netns-lib.sh), and remove the pair afterwards, whatever
# happens.  Exits 77 (skip) when the pair cannot exist here.
. "$(dirname "${BASH_SOURCE[0]}")/nft-netns-lib.sh"

nftns_require
trap 'nftns_teardown' EXIT
trap 'exit 1' INT TERM
if ! nftns_setup; then
  echo "cannot create the network namespaces" >&2
  exit 1
fi
ip netns exec "$NFTNS_A" "$@"
