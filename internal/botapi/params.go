package botapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	maxUploadBytes = 50 << 20 // Telegram's limit for a file a bot uploads
	maxFieldBytes  = 10 << 20 // generous bound for one non-file field or a whole JSON body
)

// Params holds the fields of one Bot API call, whatever the encoding: query string,
// application/json, application/x-www-form-urlencoded or multipart/form-data. A field that
// is an object or an array (reply_markup, commands, scope...) reads as its JSON text.
type Params struct {
	values  map[string]string
	uploads map[string]upload
}

// upload is a file part of a multipart request.
type upload struct {
	name        string
	contentType string
	data        []byte
}

// Get returns the field, or "" when it is absent.
func (p Params) Get(name string) string { return p.values[name] }

// Has reports whether the field is present, even if empty.
func (p Params) Has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// int64 reads an integer field; an absent or empty field reads as 0.
func (p Params) int64(name string) (int64, *APIError) {
	v := p.values[name]
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", name)
	}
	return n, nil
}

func (p Params) int(name string) (int, *APIError) {
	n, apiErr := p.int64(name)
	return int(n), apiErr
}

// bool reads a boolean field the way Telegram does: "true" or "1" (any case) is true.
func (p Params) bool(name string) bool {
	v := strings.ToLower(p.values[name])
	return v == "true" || v == "1"
}

// json decodes an object or array field into v; an absent field leaves v alone and
// reports false.
func (p Params) json(name string, v any) (bool, *APIError) {
	raw := p.values[name]
	if raw == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, badRequest("can't parse %s JSON object", name)
	}
	return true, nil
}

// parseParams reads the query string and the body of r.
func parseParams(r *http.Request) (Params, *APIError) {
	p := Params{values: map[string]string{}, uploads: map[string]upload{}}
	for k, vs := range r.URL.Query() {
		p.values[k] = vs[0]
	}
	mediaType, mediaParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var apiErr *APIError
	switch mediaType {
	case "multipart/form-data":
		apiErr = p.readMultipart(r.Body, mediaParams["boundary"])
	case "application/json":
		apiErr = p.readJSON(r.Body)
	default: // application/x-www-form-urlencoded, or no body at all
		apiErr = p.readForm(r.Body)
	}
	return p, apiErr
}

func (p Params) readMultipart(body io.Reader, boundary string) *APIError {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil // includes an empty body, which is how go-telegram/bot sends getMe
		}
		if err != nil {
			return badRequest("can't parse multipart/form-data request")
		}
		limit := int64(maxFieldBytes)
		if part.FileName() != "" {
			limit = maxUploadBytes
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return badRequest("can't parse multipart/form-data request")
		}
		if int64(len(data)) > limit {
			return errTooLarge
		}
		if part.FileName() != "" {
			p.uploads[part.FormName()] = upload{
				name:        part.FileName(),
				contentType: part.Header.Get("Content-Type"),
				data:        data,
			}
			continue
		}
		p.values[part.FormName()] = string(data)
	}
}

func (p Params) readJSON(body io.Reader) *APIError {
	data, err := io.ReadAll(io.LimitReader(body, maxFieldBytes+1))
	if err != nil || len(data) > maxFieldBytes {
		return errTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return badRequest("can't parse JSON encoded request")
	}
	for k, raw := range fields {
		var s string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			p.values[k] = s
		case string(raw) == "null":
			// Telegram treats a null field as absent.
		default:
			p.values[k] = string(raw)
		}
	}
	return nil
}

func (p Params) readForm(body io.Reader) *APIError {
	data, err := io.ReadAll(io.LimitReader(body, maxFieldBytes+1))
	if err != nil || len(data) > maxFieldBytes {
		return errTooLarge
	}
	values, err := url.ParseQuery(string(data))
	if err != nil {
		return badRequest("can't parse form-urlencoded request")
	}
	for k, vs := range values {
		p.values[k] = vs[0]
	}
	return nil
}
