//go:build !unix

package analyzer

import "os"

// readRegular reads a file, refusing non-regular files and files over
// limit bytes.
func readRegular(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if st.Size() > limit {
		return nil, tooLargeError{st.Size(), limit}
	}
	return os.ReadFile(path)
}
