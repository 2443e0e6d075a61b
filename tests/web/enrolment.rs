//! Enrolment: the coordinator's link and refused codes.

use crate::support::*;

#[wasm_bindgen_test]
async fn a_refused_enrolment_code_is_explained_in_the_volunteers_language_and_a_portals_page_is_not_a_refusal() {
    use pantau::enrolment::{enrol, EnrolError};
    storage().clear().unwrap();
    let problem = r#"{"type":"https://pantau.id/problems/unknown-enrolment-code","title":"This enrolment code is unknown, already used or revoked","status":404}"#;
    let restore = answer_every_fetch_with(404, "application/problem+json", problem);
    let refused = enrol(&ApiBase(UNREACHABLE.into()), "K7QX-M2PA-9RTD").await;
    restore.call0(&JsValue::NULL).unwrap();
    let Err(refused @ EnrolError::Refused(_)) = refused else { panic!("{refused:?}") };
    let shown = refused.message(pantau_core::Lang::Id);
    assert_eq!(
        shown,
        "Kode pendaftaran ditolak: kode tidak dikenal, sudah dipakai, atau dicabut. Minta kode baru ke koordinator."
    );

    assert_eq!(pantau::enrolment::unfinished_code(), None, "a refused code is not tried again");

    // A page that is not ours (a portal's, a proxy's) says nothing about the
    // code: it is kept and tried again, not declared refused.
    let restore = answer_every_fetch_with(403, "text/html", "<h1>Forbidden</h1>");
    let answer = enrol(&ApiBase(UNREACHABLE.into()), "K7QX-M2PA-9RTD").await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(matches!(answer, Err(EnrolError::Network(_))), "{answer:?}");
    assert_eq!(pantau::enrolment::unfinished_code().as_deref(), Some("K7QX-M2PA-9RTD"));
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
fn the_enrolment_code_is_read_from_the_coordinators_link() {
    use pantau::enrolment::code_from_fragment;
    assert_eq!(code_from_fragment("#daftar=K7QX-M2PA-9RTD").as_deref(), Some("K7QX-M2PA-9RTD"));
    assert_eq!(code_from_fragment("#daftar="), None);
    assert_eq!(code_from_fragment("#kotak-keluar"), None);
    assert_eq!(code_from_fragment(""), None);
}
