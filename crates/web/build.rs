//! The front-end packages are installed from npm by exact version (web-assets/package-lock.json)
//! and embedded in the binary so that an offline intranet works. Fail early and clearly if they
//! are missing.
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web-assets/node_modules");
    for f in ["htmx.org/dist/htmx.min.js", "echarts/dist/echarts.min.js"] {
        let p = root.join(f);
        println!("cargo:rerun-if-changed={}", p.display());
        if !p.exists() {
            panic!("缺少前端依赖 {}：请先运行 `npm ci --prefix web-assets`", p.display());
        }
    }
}
