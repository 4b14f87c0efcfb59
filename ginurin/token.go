package ginurin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
)

// checksumLen is the number of hex characters of the CRC-32 checksum that
// ends every token.
const checksumLen = 8

// tokenFormat generates and checks tokens of the form
// prefix + random hex + CRC-32 of both in hex, all lower-case.
type tokenFormat struct {
	prefix    string
	randomLen int // hex characters
}

func (f tokenFormat) length() int { return len(f.prefix) + f.randomLen + checksumLen }

// generate returns a new token from crypto/rand.
func (f tokenFormat) generate() (string, error) {
	raw := make([]byte, f.randomLen/2)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("ginurin: read random bytes: %w", err)
	}
	b := make([]byte, 0, f.length())
	b = append(b, f.prefix...)
	b = hex.AppendEncode(b, raw)
	return string(appendChecksum(b, crc32.ChecksumIEEE(b))), nil
}

func appendChecksum(b []byte, sum uint32) []byte {
	const digits = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, digits[(sum>>uint(shift))&0xf])
	}
	return b
}

// valid reports whether s is well formed: right prefix and length,
// lower-case hex, matching checksum. It touches no database.
func (f tokenFormat) valid(s string) bool {
	if len(s) != f.length() || s[:len(f.prefix)] != f.prefix {
		return false
	}
	for i := len(f.prefix); i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	body := s[:len(s)-checksumLen]
	var want [checksumLen]byte
	appendChecksum(want[:0], crc32.ChecksumIEEE([]byte(body)))
	return string(want[:]) == s[len(body):]
}

// storageKey returns what the database keeps for token: its digest, or the
// token itself in plain mode.
func (a *Auth) storageKey(token string) string {
	return a.storageKeyFromSum(token, nil)
}

// storageKeyFromSum is storageKey for a token whose SHA-256 is sum (nil:
// not computed yet), without hashing it again when the stored form is that
// digest.
func (a *Auth) storageKeyFromSum(token string, sum *[sha256.Size]byte) string {
	switch {
	case a.cfg.StorageMode == StoragePlain:
		return token
	case a.cfg.DigestKey != nil:
		m := hmac.New(sha256.New, a.cfg.DigestKey)
		m.Write([]byte(token))
		return hex.EncodeToString(m.Sum(nil))
	case sum == nil:
		s := tokenSum(token)
		sum = &s
	}
	return hex.EncodeToString(sum[:])
}
