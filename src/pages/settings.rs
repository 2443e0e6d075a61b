//! Pengaturan: the profile and TPS, language, storage status, enrolment, and
//! how long sent reports stay listed.

use crate::clock::megabytes;
use crate::enrolment::EnrolmentState;
use crate::i18n::{use_i18n, Lang};
use crate::kept::{keep_sent_days, set_keep_sent_days};
use crate::outbox::PhoneOutbox;
use crate::profile::{self, Profile};
use leptos::prelude::*;
use pantau_core::region::{district_name, VILLAGES};
use pantau_core::TpsCode;

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let profile = expect_context::<RwSignal<Profile>>();
    let outbox = expect_context::<PhoneOutbox>();
    let enrolment = expect_context::<EnrolmentState>();
    let edit_profile = move |f: &dyn Fn(&mut profile::Profile)| {
        profile.update(|p| {
            f(p);
            p.save();
        })
    };
    // As typed; the profile keeps only a code that reads as a TPS (a slip of
    // one digit would send every report to another TPS).
    let typed_tps = RwSignal::new(profile.get_untracked().tps);
    let tps_problem = move || profile::tps_problem(&typed_tps.get(), i18n.t());
    let type_tps = move |typed: String| {
        typed_tps.set(typed.clone());
        let trimmed = typed.trim();
        if trimmed.is_empty() || TpsCode::parse(trimmed).is_ok() {
            let kept = TpsCode::normalise(trimmed);
            edit_profile(&|p| p.tps = kept.clone());
        }
    };
    // Picking a village fills the code's village part and keeps the TPS number.
    let pick_village = move |village: String| {
        if village.is_empty() {
            return;
        }
        let number =
            TpsCode::parse(&typed_tps.get_untracked()).map(|t| format!("{:03}", t.number())).unwrap_or_default();
        type_tps(format!("{village}-{number}"));
        if TpsCode::parse(&typed_tps.get_untracked()).is_err() {
            if let Some(input) = document().get_element_by_id("profile-tps") {
                use wasm_bindgen::JsCast;
                let _ = input.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
    };
    let current_village = move || TpsCode::parse(&typed_tps.get()).map(|t| t.village().to_owned()).unwrap_or_default();

    let enrolled = enrolment.enrolled();
    let status = outbox.status();
    let enrol_code = RwSignal::new(String::new());
    let enrol_message = enrolment.message();
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        enrolment.enrol(enrol_code.get_untracked(), outbox, profile);
        enrol_code.set(String::new());
    };
    let storage_info = outbox.storage_info();
    let keep_days = RwSignal::new(keep_sent_days().to_string());

    view! {
        <h2>{i18n.word(|t| t.settings_heading)}</h2>
        <section aria-labelledby="profile-heading">
            <h3 id="profile-heading">{i18n.word(|t| t.profile_heading)}</h3>
            <label for="profile-name">{i18n.word(|t| t.name_label)}</label>
            <input id="profile-name" autocomplete="name" prop:value=move || profile.with(|p| p.name.clone())
                on:input=move |ev| { let v = event_target_value(&ev); edit_profile(&|p| p.name = v.clone()) } />

            <label for="profile-village">{i18n.word(|t| t.village_picker_label)}</label>
            <select id="profile-village" on:change=move |ev| pick_village(event_target_value(&ev))
                prop:value=current_village>
                <option value="">{i18n.word(|t| t.village_picker_none)}</option>
                {district_groups().into_iter().map(|(district, villages)| view! {
                    <optgroup label=format!("Kec. {district}")>
                        {villages.into_iter().map(|(code, name)| view! { <option value=code>{name}</option> }).collect::<Vec<_>>()}
                    </optgroup>
                }).collect::<Vec<_>>()}
            </select>

            <label for="profile-tps">{i18n.word(|t| t.tps_label)}</label>
            <input id="profile-tps" inputmode="numeric" autocomplete="off" aria-describedby="profile-tps-hint"
                prop:value=move || typed_tps.get()
                on:input=move |ev| type_tps(event_target_value(&ev))
                on:change=move |_| if tps_problem().is_none() { typed_tps.set(profile.get_untracked().tps) } />
            <p id="profile-tps-hint" class="hint">{i18n.word(|t| t.tps_hint)}</p>
            <p class="place" data-testid="profile-place">{move || profile::describe(&profile.with(|p| p.tps.clone()))}</p>
            <p class="field-error" role="alert" data-testid="profile-tps-problem">{tps_problem}</p>
        </section>

        <section aria-labelledby="lang-heading">
            <h3 id="lang-heading">{i18n.word(|t| t.language_heading)}</h3>
            <div class="choices" role="radiogroup" aria-labelledby="lang-heading">
                {[(Lang::Id, "Bahasa Indonesia"), (Lang::En, "English")].into_iter().map(|(lang, name)| view! {
                    <label class="choice">
                        <input type="radio" name="lang" prop:checked=move || i18n.lang() == lang on:change=move |_| i18n.set(lang) />
                        <span>{name}</span>
                    </label>
                }).collect::<Vec<_>>()}
            </div>
        </section>

        <section aria-labelledby="enrol-heading" data-testid="enrolment">
            <h3 id="enrol-heading">{i18n.word(|t| t.enrolment_heading)}</h3>
            // A refused token shows the form again: re-enrolling resumes sending.
            {move || match enrolled.get().filter(|_| !status.get().paused_unauthorized) {
                Some(e) => {
                    let tps = e.volunteer.tps.clone().map(|t| profile::describe(&t).unwrap_or(format!("TPS {t}")));
                    view! {
                        <div class="enrolled" data-testid="enrolled-card">
                            <p data-testid="enrolled-as">{i18n.word(|t| t.enrolled_as)} " " <strong>{e.volunteer.name.clone()}</strong></p>
                            {tps.map(|tps| view! { <p data-testid="enrolled-tps">{tps}</p> })}
                        </div>
                    }.into_any()
                }
                None => view! {
                    <form on:submit=submit_code>
                        {move || match enrolment.pending().get() {
                            // Tried with no signal: it goes again by itself; a new code is not needed.
                            Some(code) => view! {
                                <p class="muted" data-testid="enrol-pending">{i18n.word(|t| t.enrol_pending)} " " <strong>{code.clone()}</strong></p>
                            }.into_any(),
                            None => view! { <p class="warning">{i18n.word(|t| t.not_enrolled)}</p> }.into_any(),
                        }}
                        <label for="enrol-code">{i18n.word(|t| t.enrol_code_label)}</label>
                        <input id="enrol-code" autocomplete="off" autocapitalize="characters"
                            prop:value=move || enrol_code.get()
                            on:input=move |ev| enrol_code.set(event_target_value(&ev)) />
                        <button type="submit" class="secondary">{i18n.word(|t| t.enrol)}</button>
                    </form>
                }.into_any(),
            }}
            <p class="form-message" role="status">{move || enrol_message.get()}</p>
        </section>

        <section aria-labelledby="storage-heading" data-testid="storage">
            <h3 id="storage-heading">{i18n.word(|t| t.storage_heading)}</h3>
            <p>{move || match storage_info.get().persisted {
                Some(true) => i18n.t().storage_persistent,
                Some(false) => i18n.t().storage_not_persistent,
                None => i18n.t().storage_unknown,
            }}</p>
            <p class="muted">{move || {
                let info = storage_info.get();
                match (info.usage, info.quota) {
                    (Some(u), Some(q)) => format!("{} {} {} {}", i18n.t().storage_used, megabytes(u), i18n.t().of, megabytes(q)),
                    _ => String::new(),
                }
            }}</p>
            {cfg!(feature = "photos").then(|| view! {
                <p class="muted" data-testid="storage-photos">
                    {move || format!("{}: {}", i18n.t().photo().storage_photos, megabytes(outbox.photo_bytes() as f64))}
                </p>
            })}
            <label for="keep-days">{i18n.word(|t| t.keep_sent_days_label)}</label>
            <input id="keep-days" type="number" inputmode="numeric" min="1" max="365"
                prop:value=move || keep_days.get()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    if let Ok(days) = v.trim().parse::<i64>() {
                        set_keep_sent_days(days);
                    }
                    keep_days.set(v);
                } />
        </section>
    }
}

/// The shipped villages grouped by district, for the picker.
fn district_groups() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let mut groups: Vec<(&'static str, Vec<(&'static str, &'static str)>)> = Vec::new();
    for (code, name) in VILLAGES {
        let district = district_name(code).unwrap_or("?");
        match groups.last_mut() {
            Some((d, list)) if *d == district => list.push((code, name)),
            _ => groups.push((district, vec![(code, name)])),
        }
    }
    groups
}
