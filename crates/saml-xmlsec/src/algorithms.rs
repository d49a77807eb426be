//! Algorithm identifiers of XML-DSig/XML-Enc that the SAML layer knows, and the allow-lists.
//!
//! Signature algorithms follow what the German eIDAS middleware accepts (RSASSA-PSS per RFC 6931
//! §2.3.10 and ECDSA per RFC 4051 §2.3.6, SHA-2 only); PKCS#1 v1.5 `rsa-sha256` exists only for a
//! legacy upstream that is explicitly configured for it.

/// exc-c14n 1.0 without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Enveloped-signature transform (XML-DSig §6.6.4).
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// AES-256-GCM (XML-Enc 1.1 §5.2.4).
pub const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
/// RSA-OAEP with explicit digest and MGF (XML-Enc 1.1 §5.5.2).
pub const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
/// MGF1 with SHA-256 (XML-Enc 1.1 §5.5.2).
pub const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
/// ECDH ephemeral-static key agreement (XML-Enc 1.1 §5.6.1).
pub const ECDH_ES: &str = "http://www.w3.org/2009/xmlenc11#ECDH-ES";
/// ConcatKDF (XML-Enc 1.1 §5.4.1).
pub const CONCAT_KDF: &str = "http://www.w3.org/2009/xmlenc11#ConcatKDF";
/// AES-256 key wrap, RFC 3394 (XML-Enc §5.6.3).
pub const KW_AES256: &str = "http://www.w3.org/2001/04/xmlenc#kw-aes256";
/// XML-Enc `Type` of an encrypted element.
pub const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// P-256 as a NamedCurve URI (RFC 6931 §2.3.6 / XML-DSig 1.1 §4.5.2.3.1).
pub const CURVE_P256: &str = "urn:oid:1.2.840.10045.3.1.7";
/// P-384.
pub const CURVE_P384: &str = "urn:oid:1.3.132.0.34";
/// P-521.
pub const CURVE_P521: &str = "urn:oid:1.3.132.0.35";

/// A digest algorithm for References, OAEP and ConcatKDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The URI as used in `ds:DigestMethod`.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// Parses a DigestMethod URI; SHA-1, MD5 and anything else give `None`.
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512].into_iter().find(|d| d.uri() == uri)
    }

    /// The aws-lc-rs digest.
    pub fn aws(self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            Self::Sha256 => &aws_lc_rs::digest::SHA256,
            Self::Sha384 => &aws_lc_rs::digest::SHA384,
            Self::Sha512 => &aws_lc_rs::digest::SHA512,
        }
    }
}

/// A signature algorithm (XML-DSig `SignatureMethod`, Redirect-binding `SigAlg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA with SHA-256 (RFC 4051 §2.3.6).
    EcdsaSha256,
    /// ECDSA with SHA-384.
    EcdsaSha384,
    /// ECDSA with SHA-512.
    EcdsaSha512,
    /// RSASSA-PSS, MGF1 and salt length = digest length (RFC 6931 §2.3.10).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512.
    RsaPssSha512,
    /// PKCS#1 v1.5 with SHA-256: legacy only, never in the default allow-list.
    RsaPkcs1Sha256,
}

/// The default allow-list: ECDSA and RSA-PSS with SHA-2 (what the eIDAS middleware accepts).
pub const DEFAULT_SIGNATURE_ALGORITHMS: &[SignatureAlgorithm] = &[
    SignatureAlgorithm::EcdsaSha256,
    SignatureAlgorithm::EcdsaSha384,
    SignatureAlgorithm::EcdsaSha512,
    SignatureAlgorithm::RsaPssSha256,
    SignatureAlgorithm::RsaPssSha384,
    SignatureAlgorithm::RsaPssSha512,
];

impl SignatureAlgorithm {
    const ALL: [Self; 7] = [
        Self::EcdsaSha256,
        Self::EcdsaSha384,
        Self::EcdsaSha512,
        Self::RsaPssSha256,
        Self::RsaPssSha384,
        Self::RsaPssSha512,
        Self::RsaPkcs1Sha256,
    ];

    /// The algorithm URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::EcdsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
            Self::EcdsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
            Self::RsaPssSha256 => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
            Self::RsaPssSha384 => "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
            Self::RsaPssSha512 => "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
            Self::RsaPkcs1Sha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        }
    }

    /// Parses an algorithm URI (unknown, SHA-1, MD5, HMAC give `None`).
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.uri() == uri)
    }

    /// The hash inside the signature.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::EcdsaSha256 | Self::RsaPssSha256 | Self::RsaPkcs1Sha256 => DigestAlgorithm::Sha256,
            Self::EcdsaSha384 | Self::RsaPssSha384 => DigestAlgorithm::Sha384,
            Self::EcdsaSha512 | Self::RsaPssSha512 => DigestAlgorithm::Sha512,
        }
    }

    /// Whether this is an ECDSA algorithm (else RSA).
    pub fn is_ecdsa(self) -> bool {
        matches!(self, Self::EcdsaSha256 | Self::EcdsaSha384 | Self::EcdsaSha512)
    }
}
