#!/usr/bin/env bash
# Makes the example PKI used by examples/*.ts: a root CA, an issuing (intermediate) CA, and
# RSA-2048 end-entity certificates for the example parties. Run once; the output is committed so
# the examples need no openssl at run time.
#
#   bash examples/certs/make-certs.sh        # rewrites examples/certs/{pem,keys}
#
# Every certificate is valid from 2026-01-01T00:00:00Z to 2036-01-01T00:00:00Z (`openssl ca
# -startdate/-enddate`; openssl 3.0 has no -not_before for `x509 -req`). Serial numbers are fixed
# (0x1000 upwards, in the order below); keys are new on every run.
#
# THE PRIVATE KEYS IN keys/ ARE PUBLIC EXAMPLE KEYS. Never use them for anything but the examples.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENSSL_CONF=/dev/null

START=20260101000000Z
END=20360101000000Z

rm -rf "$here/pem" "$here/keys"
mkdir -p "$here/pem" "$here/keys" "$work/db"
: > "$work/db/index.txt"
echo 1000 > "$work/db/serial"

cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = example_ca

[ example_ca ]
database        = $work/db/index.txt
serial          = $work/db/serial
new_certs_dir   = $work/db
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
preserve        = yes

[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ v3_root ]
basicConstraints       = critical, CA:TRUE, pathlen:1
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_issuing ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# AS2 (S/MIME) message signing.
[ v3_signing ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
extendedKeyUsage       = emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# AS2 (S/MIME) message encryption.
[ v3_encryption ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyEncipherment, dataEncipherment
extendedKeyUsage       = emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# One certificate for AS2 signing and encryption (smaller partners).
[ v3_as2 ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# HTTPS listener (TLS server).
[ v3_tls_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:\${ENV::SAN}
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF

key() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$here/keys/$1.key"; }
csr() { openssl req -new -key "$here/keys/$1.key" -subj "$2" -out "$work/$1.csr"; }
# sign NAME PROFILE ISSUER-NAME|self [SAN]
sign() {
  local name=$1 profile=$2 issuer=$3 san=${4:-unused.example}
  local by=(-cert "$here/pem/$issuer.pem" -keyfile "$here/keys/$issuer.key")
  [ "$issuer" = self ] && by=(-selfsign -keyfile "$here/keys/$name.key")
  SAN="$san" openssl ca -batch -notext -config "$work/ca.cnf" -extensions "$profile" \
    -startdate "$START" -enddate "$END" -in "$work/$name.csr" -out "$here/pem/$name.pem" "${by[@]}" \
    2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
}
# leaf NAME PROFILE SUBJECT [SAN]
leaf() { key "$1"; csr "$1" "$3"; sign "$1" "$2" issuing-ca "${4:-}"; }

key root-ca
csr root-ca "/C=US/O=Example Trust Services/CN=Example Trust Root CA"
sign root-ca v3_root self
key issuing-ca
csr issuing-ca "/C=US/O=Example Trust Services/CN=Example Trust Issuing CA 1"
sign issuing-ca v3_issuing root-ca

# The two AS2 parties of the exchange examples: old (1) and new (2) signing, encryption and
# HTTPS listener certificates.
for party in Acme Globex; do
  p=$(echo "$party" | tr 'A-Z' 'a-z')
  for n in 1 2; do
    leaf "$p-sign-$n" v3_signing "/C=US/O=$party Corporation/OU=EDI/CN=$party AS2 Signing $n"
    leaf "$p-enc-$n" v3_encryption "/C=US/O=$party Corporation/OU=EDI/CN=$party AS2 Encryption $n"
    leaf "$p-tls-$n" v3_tls_server "/C=US/O=$party Corporation/OU=EDI/CN=as2.$p.example" "as2.$p.example"
  done
done

# Three more partners of Acme for the TLS server rollover: one signing+encryption certificate each.
for party in Initech Umbrella Hooli; do
  p=$(echo "$party" | tr 'A-Z' 'a-z')
  leaf "$p-as2" v3_as2 "/C=US/O=$party Inc/CN=$party AS2"
done

# The CA keys are not needed by the examples: keep them out of the repository.
rm -f "$here/keys/root-ca.key" "$here/keys/issuing-ca.key"

echo "wrote $(ls "$here/pem" | wc -l) certificates to $here/pem and their keys to $here/keys"
