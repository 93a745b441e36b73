package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuiteRecordsThenReplays runs the whole suite against the fake HTTP
// driver: first recording every cassette against its simulator, then
// replaying them offline. Both must pass, and the cassettes must be clean.
func TestSuiteRecordsThenReplays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry bool
	}{{"plain", false}, {"idempotent", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if d := os.Getenv("CONFORMANCE_KEEP"); d != "" {
				dir = filepath.Join(d, tc.name)
			}
			h := fakeHarness(dir, tc.retry)
			t.Run("sim", func(t *testing.T) {
				t.Setenv(RecordEnv, string(ModeSim))
				Run(t, h)
			})
			if t.Failed() {
				t.FailNow()
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			if len(files) == 0 {
				t.Fatal("sim mode recorded no cassette")
			}
			for _, f := range files {
				for _, p := range scanCassette(f) {
					t.Errorf("%s: %s", f, p)
				}
				data, _ := os.ReadFile(f)
				for _, bad := range []string{"4012000000003010", fakeAPIKey, `"cvv":"737"`} {
					if strings.Contains(string(data), bad) {
						t.Errorf("%s holds %q", f, bad)
					}
				}
			}
			t.Run("replay", func(t *testing.T) {
				t.Setenv(RecordEnv, "")
				Run(t, h)
			})
		})
	}
}
