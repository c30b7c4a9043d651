package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/internal/logging"
)

func TestNewHandlerFormats(t *testing.T) {
	var buf bytes.Buffer
	h, err := logging.NewHandler(&buf, logging.FormatJSON, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("hello", "n", 1)
	slog.New(h).Debug("below the level")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "hello" || line["n"] != 1.0 {
		t.Errorf("json: %q (%v), want one JSON line", buf.String(), err)
	}
	buf.Reset()
	if h, err = logging.NewHandler(&buf, logging.FormatText, slog.LevelInfo); err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("hello", "n", 1)
	if !strings.Contains(buf.String(), "msg=hello n=1") {
		t.Errorf("text: %q", buf.String())
	}
	if _, err := logging.NewHandler(&buf, "yaml", slog.LevelInfo); !errors.Is(err, logging.ErrFormat) || !strings.Contains(err.Error(), `"yaml"`) {
		t.Errorf("yaml: %v, want ErrFormat naming it", err)
	}
}
