//! The web layer's boundary, checked from its sources: handlers reach data through the use cases
//! of `eduq-app` only, never the store's methods, and the crate does not depend on `eduq-store`.

use std::path::Path;

/// Every `.rs` file under the web crate's `src`, with its text.
fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.display().to_string(), std::fs::read_to_string(&p).expect("read file")));
            }
        }
    }
    out
}

/// Method calls on a value named `store` (`store.x(`, also split over lines), except `clone`.
fn store_calls(text: &str) -> Vec<String> {
    let compact: String = text.split_whitespace().collect::<Vec<_>>().join("");
    let mut found = Vec::new();
    let mut rest = compact.as_str();
    while let Some(i) = rest.find("store.") {
        let before = rest[..i].chars().last();
        let after = &rest[i + "store.".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let is_call = after[name.len()..].starts_with('(') || after[name.len()..].starts_with("::<");
        // `st.store.x(`, `store.x(`; not `eduq_store.` or `restore.`.
        let whole_word = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if whole_word && is_call && name != "clone" {
            found.push(name);
        }
        rest = &rest[i + "store.".len()..];
    }
    found
}

#[test]
fn handlers_reach_data_through_use_cases_only() {
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        for call in store_calls(&text) {
            offenders.push(format!("{path}: store.{call}(…)"));
        }
    }
    assert!(
        offenders.is_empty(),
        "the web calls the store directly; add a use case in eduq-app:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_checker_sees_a_direct_call() {
    // The checker itself: a call split over lines is found, clone and other names are not.
    assert_eq!(store_calls("let x = st\n    .store\n    .list_users(&a)"), vec!["list_users"]);
    assert_eq!(store_calls("let s = st.store.clone(); eduq_store.x(); restore.y()"), Vec::<String>::new());
}

#[test]
fn the_web_crate_does_not_depend_on_the_store() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).expect("manifest");
    assert!(!manifest.contains("eduq-store"), "eduq-web must reach the store through eduq-app");
    for (path, text) in sources() {
        assert!(!text.contains("eduq_store"), "{path} names eduq_store");
    }
}
