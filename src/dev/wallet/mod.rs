//! The development EUDI wallet pieces (development only): the PID provider and the test wallet page.

pub mod page;
pub mod pid_issuer;

pub use page::routes;

/// The development PID provider's test persons, `(id, name)`.
pub(crate) fn pid_issuer_persons() -> Vec<(String, String)> {
    vec![("erika".into(), "Erika Mustermann".into())]
}

/// A presentation of a freshly minted PID of `person` for the checked request.
pub(crate) fn mint_presentation(person: &str, req: &page::CheckedRequest) -> Result<String, String> {
    let _ = (person, req);
    Err("the development PID provider is not built yet".into())
}
