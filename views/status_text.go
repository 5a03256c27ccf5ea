package views

import "net/http"

// statusTextIn names an HTTP status for the error page in tr's language:
// http.StatusText's words in English, "Error" for a status without any.
func statusTextIn(tr Tr, status int) string {
	switch status {
	case http.StatusBadRequest:
		return tr("httpstatus.400")
	case http.StatusUnauthorized:
		return tr("httpstatus.401")
	case http.StatusForbidden:
		return tr("httpstatus.403")
	case http.StatusNotFound:
		return tr("httpstatus.404")
	case http.StatusMethodNotAllowed:
		return tr("httpstatus.405")
	case http.StatusConflict:
		return tr("httpstatus.409")
	case http.StatusRequestEntityTooLarge:
		return tr("httpstatus.413")
	case http.StatusUnsupportedMediaType:
		return tr("httpstatus.415")
	case http.StatusTooManyRequests:
		return tr("httpstatus.429")
	case http.StatusInternalServerError:
		return tr("httpstatus.500")
	case http.StatusBadGateway:
		return tr("httpstatus.502")
	case http.StatusServiceUnavailable:
		return tr("httpstatus.503")
	case http.StatusGatewayTimeout:
		return tr("httpstatus.504")
	}
	if text := http.StatusText(status); text != "" {
		return text
	}
	return tr("httpstatus.error")
}
