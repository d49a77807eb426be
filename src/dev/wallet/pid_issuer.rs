//! A development PID provider (DEVELOPMENT ONLY): mints German PIDs as SD-JWT VC with the
//! committed development CA (certs/dev/eudi/), key binding JWTs and status list tokens, for the
//! Rust tests and the development test wallet page.
