//! Scopes → claims, and the filter that releases to a client only what it may receive.
