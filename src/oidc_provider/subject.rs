//! Subject identifiers (OIDC Core §8): pairwise by default, derived with a keyed hash from a
//! configured, versioned secret, the client's sector and the upstream identity.
