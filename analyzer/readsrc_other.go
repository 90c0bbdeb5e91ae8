//go:build !unix

package analyzer

import "os"

// readSource reads a source file, refusing non-regular and oversized files.
func readSource(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if st.Size() > MaxFileSize {
		return nil, tooLargeError{st.Size()}
	}
	return os.ReadFile(path)
}
