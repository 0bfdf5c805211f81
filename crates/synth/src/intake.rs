//! A synthetic new intake (初一 with 小学毕业 scores) for 均衡分班: correlated subject scores,
//! sexes at random, a few 住宿/随迁子女 flags.

use crate::Rng;

pub const HEADERS: [&str; 8] = ["学籍号", "姓名", "性别", "总分", "语文", "数学", "英语", "标记"];

/// The roster as csv text (UTF-8, no BOM); no field needs quoting.
pub fn roster_csv(seed: u64, pupils: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut out = HEADERS.join(",");
    out.push('\n');
    for i in 0..pupils {
        let ability = rng.normal();
        let subject = |rng: &mut Rng| (80.0 + 8.0 * (0.8 * ability + 0.6 * rng.normal())).clamp(0.0, 120.0).round();
        let (a, b, c) = (subject(&mut rng), subject(&mut rng), subject(&mut rng));
        let flag = match rng.below(20) {
            0 => "住宿",
            1 => "随迁子女",
            2 => "住宿;随迁子女",
            _ => "",
        };
        let male = rng.below(2) == 0;
        let name = crate::names::person(&mut rng, male);
        let sex = if male { "男" } else { "女" };
        out.push_str(&format!("G3301022019{i:07},{name},{sex},{},{a},{b},{c},{flag}\n", a + b + c));
    }
    out
}
