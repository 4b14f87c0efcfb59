package routes

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// loginInput is the decoded /login body.
type loginInput struct {
	Username, Password, Client string
}

// errTooLarge and errBadBody are decoding failures answered 413 and 400.
var (
	errTooLarge     = errors.New("routes: request body too large")
	errBadBody      = errors.New("routes: malformed request body")
	errUnsupported  = errors.New("routes: unsupported media type")
	jsonContentType = "application/json"
)

// decodeLogin reads username, password and client from a JSON, URL-encoded
// or multipart body of at most limit bytes. JSON values that are not
// strings count as missing.
func decodeLogin(c *gin.Context, limit int64) (loginInput, error) {
	var in loginInput
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	ct := c.GetHeader("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt, err = "application/x-www-form-urlencoded", nil
	}
	if err != nil {
		return in, errUnsupported
	}
	switch mt {
	case jsonContentType:
		var body map[string]any
		dec := json.NewDecoder(c.Request.Body)
		if err := dec.Decode(&body); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, errTooLarge
			}
			return in, errBadBody
		}
		if dec.More() {
			return in, errBadBody // a second value after the object
		}
		in.Username, _ = body["username"].(string)
		in.Password, _ = body["password"].(string)
		in.Client, _ = body["client"].(string)
	case "application/x-www-form-urlencoded", "multipart/form-data":
		var err error
		if mt == "multipart/form-data" {
			err = c.Request.ParseMultipartForm(limit)
		} else {
			err = c.Request.ParseForm()
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, errTooLarge
			}
			return in, errBadBody
		}
		in.Username = c.Request.PostForm.Get("username")
		in.Password = c.Request.PostForm.Get("password")
		in.Client = c.Request.PostForm.Get("client")
	default:
		return in, errUnsupported
	}
	return in, nil
}

func (h *handlers) login(c *gin.Context) {
	in, err := decodeLogin(c, h.cfg.MaxBodyBytes)
	switch {
	case errors.Is(err, errTooLarge):
		detail(c, http.StatusRequestEntityTooLarge, "Request body too large.")
		return
	case errors.Is(err, errUnsupported):
		detail(c, http.StatusUnsupportedMediaType, "Unsupported media type; send JSON or a form.")
		return
	case err != nil:
		detail(c, http.StatusBadRequest, "Malformed request body.")
		return
	}
	if in.Username == "" || in.Password == "" {
		detail(c, http.StatusBadRequest, `Must include "username" and "password".`)
		return
	}
	if in.Client == "" {
		detail(c, http.StatusBadRequest, "No client specified.")
		return
	}
	if h.cfg.LoginLimiter != nil && !h.cfg.LoginLimiter.Check(c, in.Username) {
		return
	}
	ctx := c.Request.Context()
	client, err := models.ClientByName(ctx, h.auth.DB(), in.Client)
	if errors.Is(err, models.ErrClientNotFound) {
		detail(c, http.StatusBadRequest, "No client with that name.")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	user, err := h.auth.CheckCredentials(ctx, in.Username, in.Password)
	if errors.Is(err, ginurin.ErrInvalidCredentials) {
		detail(c, http.StatusBadRequest, "Unable to log in with provided credentials.")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	issued, err := h.auth.Login(ctx, user, client)
	if err != nil {
		h.fail(c, err)
		return
	}
	body := gin.H{"token": issued.Token, "expiry": h.auth.FormatTime(issued.Session.Expiry)}
	if h.cfg.UserSerializer != nil {
		body["user"] = h.cfg.UserSerializer(user)
	}
	noStore(c)
	c.JSON(http.StatusOK, body)
}
