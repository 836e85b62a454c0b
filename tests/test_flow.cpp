// Tests for this section are being written.
