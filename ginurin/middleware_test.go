package ginurin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// get sends GET /api/ with a raw Authorization header (none when empty).
func get(a *testapp.App, header string) testapp.Response {
	req := httptest.NewRequest("GET", "/api/", nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	return a.Serve(req)
}

func TestAuthorizationHeader(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		counter := testdb.Count(db)
		cases := []struct {
			name, header string
			code         int
			detail       string
			queries      int64
		}{
			{"valid", "Token " + token, 200, "", 1},
			{"lower-case prefix", "token " + token, 200, "", 1},
			{"upper-case prefix", "TOKEN " + token, 200, "", 1},
			{"extra white space", "Token   " + token + "  ", 200, "", 1},
			{"no header", "", 401, "Authentication credentials were not provided.", 0},
			{"other scheme", "Bearer " + token, 401, "Authentication credentials were not provided.", 0},
			{"prefix glued to token", "Token" + token, 401, "Authentication credentials were not provided.", 0},
			{"prefix alone", "Token", 401, "Invalid token header. No credentials provided.", 0},
			{"prefix and spaces", "Token   ", 401, "Invalid token header. No credentials provided.", 0},
			{"two parts", "Token a b", 401, "Invalid token header. Token string should not contain spaces.", 0},
			{"unknown well-formed token", "Token " + unknownToken(t, a), 401, "Invalid token.", 1},
			{"odd length", "Token " + token[:len(token)-1], 401, "Invalid token.", 0},
			{"too long", "Token " + token + "00", 401, "Invalid token.", 0},
			{"bad checksum", "Token " + token[:len(token)-1] + flipHex(token[len(token)-1]), 401, "Invalid token.", 0},
			{"durin-length token", "Token " + strings.Repeat("a", 64), 401, "Invalid token.", 0},
			{"sql in token", "Token ' OR 1=1 --", 401, "Invalid token header. Token string should not contain spaces.", 0},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				counter.Reset()
				r := get(a, tc.header)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				if tc.code == 401 {
					assert.Equal(t, tc.detail, r.Body["detail"])
					assert.Equal(t, "Token", r.Header.Get("WWW-Authenticate"))
				}
				assert.Equal(t, tc.queries, counter.N(), "SQL round trips")
			})
		}
	})
}

func flipHex(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

// unknownToken returns a well-formed token that was never issued, made by
// logging in and out.
func unknownToken(t *testing.T, a *testapp.App) string {
	t.Helper()
	tok := a.MustLogin(testapp.Jane, testapp.JanePassword, "cli")
	require.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logout", tok, "", "").Code)
	return tok
}

func TestCustomHeaderPrefix(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{AuthHeaderPrefix: "Bearer"}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		assert.Equal(t, 200, get(a, "bearer "+token).Code)
		r := get(a, "Token "+token)
		assert.Equal(t, 401, r.Code)
		assert.Equal(t, "Bearer", r.Header.Get("WWW-Authenticate"))
	})
}

func TestExpiredToken(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "cli") // 1h TTL
		a.TakeEvents()
		a.Advance(time.Hour + time.Second)
		r := get(a, "Token "+token)
		assert.Equal(t, 401, r.Code)
		assert.Equal(t, "The given token has expired.", r.Body["detail"])
		assert.Equal(t, []string{"token_expired"}, a.TakeEvents())
		assert.Equal(t, 0, a.TokenCount(), "an expired token is deleted")
		r = get(a, "Token "+token)
		assert.Equal(t, "Invalid token.", r.Body["detail"])
		assert.Empty(t, a.TakeEvents(), "the expired event fires once")
	})
}

func TestInactiveUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		require.NoError(t, a.Auth.SetUserActive(context.Background(), testapp.John, false))
		r := get(a, "Token "+token)
		assert.Equal(t, 401, r.Code)
		assert.Equal(t, "User inactive or deleted.", r.Body["detail"])

		_, err := db.NewDelete().Model((*models.User)(nil)).Where("username = ?", testapp.John).Exec(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 0, a.TokenCount(), "deleting a user deletes its tokens")
	})
}

func TestAccessors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		a.Authed.GET("/who", func(c *gin.Context) {
			u, okU := ginurin.UserFrom(c)
			cl, okC := ginurin.ClientFrom(c)
			tok, okT := ginurin.TokenFrom(c)
			if !okU || !okC || !okT {
				c.Status(http.StatusInternalServerError)
				return
			}
			c.JSON(200, gin.H{"user": u.Username, "client": cl.Name, "ttl": cl.TokenTTL.String(),
				"token_user": tok.UserID == u.ID, "stored": tok.Token, "staff": u.IsStaff})
		})
		a.Engine.GET("/open", func(c *gin.Context) {
			_, ok := ginurin.UserFrom(c)
			c.JSON(200, gin.H{"authenticated": ok})
		})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "cli")
		r := a.Do("GET", "/api/who", token, "", "")
		require.Equal(t, 200, r.Code, r.Raw)
		assert.Equal(t, map[string]any{"user": "john", "client": "cli", "ttl": "1h0m0s",
			"token_user": true, "stored": "", "staff": false}, r.Body)
		assert.Equal(t, false, a.Do("GET", "/open", "", "", "").Body["authenticated"])
	})
}

func TestDatabaseFailureIs503(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		require.NoError(t, db.Close())
		for _, path := range []string{"/api/", "/api/login"} {
			method, body := "GET", ""
			if path == "/api/login" {
				method, body = "POST", `{"username":"john","password":"secret","client":"web"}`
			}
			r := a.Do(method, path, token, "application/json", body)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code, r.Raw)
			assert.Equal(t, "Service temporarily unavailable.", r.Body["detail"])
			assert.NotContains(t, r.Raw, token)
		}
	})
}

func TestStorageAtRest(t *testing.T) {
	for _, mode := range []ginurin.StorageMode{ginurin.StorageDigest, ginurin.StoragePlain} {
		t.Run(string(mode), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := testapp.New(t, db, ginurin.Config{StorageMode: mode}, routes.Config{})
				token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
				var stored string
				require.NoError(t, db.NewSelect().Model((*models.AuthToken)(nil)).Column("token").Scan(context.Background(), &stored))
				if mode == ginurin.StoragePlain {
					assert.Equal(t, token, stored)
				} else {
					assert.Regexp(t, `^[0-9a-f]{64}$`, stored)
					assert.NotContains(t, stored, token[4:20])
				}
			})
		})
	}
}

func TestDigestKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{DigestKey: []byte("k1")}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		assert.Equal(t, 200, get(a, "Token "+token).Code)
		other, err := ginurin.New(db, ginurin.Config{DigestKey: []byte("k2")})
		require.NoError(t, err)
		_, err = other.Authenticate(context.Background(), token)
		assert.ErrorIs(t, err, ginurin.ErrInvalidToken, "another key cannot find the token")
	})
}

func TestNewRejectsBadConfig(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	for name, cfg := range map[string]ginurin.Config{
		"short token":  {TokenLength: 32},
		"odd token":    {TokenLength: 65},
		"bad prefix":   {TokenPrefix: "no spaces"},
		"unknown mode": {StorageMode: "rot13"},
		"negative ttl": {DefaultTokenTTL: -time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ginurin.New(db, cfg)
			assert.Error(t, err)
		})
	}
}

// failingStore is a UserStore outside SQL: authentication then needs a
// second lookup, and login falls back to it.
type failingStore struct{ models.UserStore }

func TestNonSQLUserStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		store := failingStore{&models.TableUsers{DB: db}}
		a := testapp.New(t, db, ginurin.Config{Users: store}, routes.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		counter := testdb.Count(db)
		r := get(a, "Token "+token)
		assert.Equal(t, 200, r.Code)
		assert.Equal(t, int64(2), counter.N(), "token+client, then the user from the store")
		assert.Equal(t, false, a.Auth.Tokens().JoinsUsers())
		assert.True(t, strings.HasPrefix(token, "gnr_"))
	})
}

// TestSwitchingStorageMode: sessions stored in digest mode cannot be handed
// out in plain mode; a plain-mode login replaces them with a working token
// (and a digest-mode login after plain mode issues a fresh one too).
func TestSwitchingStorageMode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		digest := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		digest.MustLogin(testapp.John, testapp.JohnPassword, "web")

		plain, err := ginurin.New(db, ginurin.Config{StorageMode: ginurin.StoragePlain, PasswordHashCost: 4})
		require.NoError(t, err)
		ctx := context.Background()
		user, err := plain.CheckCredentials(ctx, testapp.John, testapp.JohnPassword)
		require.NoError(t, err)
		client, err := models.ClientByName(ctx, db, "web")
		require.NoError(t, err)
		issued, err := plain.Login(ctx, user, client)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(issued.Token, "gnr_"), "a token, not the stored digest")
		_, err = plain.Authenticate(ctx, issued.Token)
		assert.NoError(t, err)
		again, err := plain.Login(ctx, user, client)
		require.NoError(t, err)
		assert.Equal(t, issued.Token, again.Token, "then plain mode keeps it")

		fresh := digest.MustLogin(testapp.John, testapp.JohnPassword, "web")
		assert.Equal(t, 200, get(digest, "Token "+fresh).Code)
	})
}
