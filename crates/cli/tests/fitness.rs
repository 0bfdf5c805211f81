//! `eduq fitness score`: the output contract on hand-computed pupils.

use std::process::Command;

const INPUT: &str = "年级编号,班级编号,班级名称,学籍号,民族代码,姓名,性别,出生日期,身高,体重,肺活量,50米跑,立定跳远,坐位体前屈,800米跑,1000米跑,一分钟仰卧起坐,引体向上,一分钟跳绳,50米×8往返跑,左眼裸眼视力,右眼裸眼视力,左眼球镜,左眼柱镜,右眼球镜,右眼柱镜,家长电话
15,1501,1班,G1,01,甲,1,2015-03-01,150,40.5,2200,8.8,,9.4,,,38,,126,1.48,4.8,5.0,-1.00,-0.50,0.25,0,13800000000
22,2201,1班,G2,01,乙,2,2012-03-01,160,51.2,2500,8.8,174,15.9,3'20\",,41,,,,5.0,5.0,0,0,0,0,
22,2201,1班,G3,01,丙,2,2012-03-01,160,51.2,2500,8.8,174,15.9,3.75,,41,,,,,,,,,,
22,2201,1班,G4,01,丁,2,2012-03-01,160,51.2,2500,,174,15.9,3.20,,41,,,,,,,,,,
";

/// Runs `eduq fitness score` on `INPUT` in a fresh directory, writing to `out_name` there.
fn score(dir_name: &str, out_name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::process::Output) {
    let dir = std::env::temp_dir().join(format!("{dir_name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, out) = (dir.join("in.csv"), dir.join(out_name));
    std::fs::write(&input, INPUT).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["fitness", "score", "--in", input.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    (dir, out, o)
}

#[test]
fn scores_bmi_total_level_vision_and_notes() {
    let (dir, out, o) = score("eduq-fit", "out.csv");
    assert!(!o.status.success(), "a rejected value makes the batch exit non-zero");
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 名学生的数据有误"));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = rows.headers().unwrap().iter().map(str::to_string).collect();
    let added: Vec<&str> = headers[27..].iter().map(String::as_str).collect();
    assert_eq!(
        added,
        [
            "肺活量得分",
            "50米跑得分",
            "立定跳远得分",
            "坐位体前屈得分",
            "800米跑得分",
            "1000米跑得分",
            "一分钟仰卧起坐得分",
            "引体向上得分",
            "一分钟跳绳得分",
            "50米×8往返跑得分",
            "体重指数",
            "体重指数等级",
            "体重指数得分",
            "标准分",
            "附加分",
            "总分",
            "等级",
            "视力不良等级",
            "筛查性近视",
            "备注"
        ]
    );
    assert_eq!(headers[26], "家长电话", "extra input columns are kept");
    let rows: Vec<Vec<String>> = rows.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let col = |r: &Vec<String>, h: &str| r[headers.iter().position(|x| x == h).unwrap()].clone();
    // Grade 5 boy: every item at its 80-point value, BMI 18.0 (正常): 15 + 85 × 0.8 = 83.
    let a = &rows[0];
    for h in ["肺活量得分", "50米跑得分", "坐位体前屈得分", "一分钟仰卧起坐得分", "一分钟跳绳得分", "50米×8往返跑得分"]
    {
        assert_eq!(col(a, h), "80", "{h}");
    }
    assert_eq!(
        [
            col(a, "体重指数"),
            col(a, "体重指数等级"),
            col(a, "体重指数得分"),
            col(a, "标准分"),
            col(a, "附加分"),
            col(a, "总分"),
            col(a, "等级")
        ],
        ["18.0", "正常", "100", "83", "0", "83", "良好"]
    );
    // Left eye 4.8 with SE −1.25: 中度 视力不良 and 低度近视.
    assert_eq!([col(a, "视力不良等级"), col(a, "筛查性近视")], ["中度", "低度近视"]);
    assert_eq!(col(a, "备注"), "");
    // Grade 8 girl: 800 m in 3'20" beats the 100-point 3'30" by 10 s: +2; 87 + 2 = 89.
    let b = &rows[1];
    assert_eq!(
        [col(b, "800米跑得分"), col(b, "标准分"), col(b, "附加分"), col(b, "总分"), col(b, "等级")],
        ["100", "87", "2", "89", "良好"]
    );
    assert_eq!([col(b, "视力不良等级"), col(b, "筛查性近视")], ["正常", "否"]);
    // 3.75 is not a time: the reason is in 备注 and there is no total.
    let c = &rows[2];
    assert_eq!(col(c, "总分"), "");
    assert!(col(c, "备注").starts_with("800米跑“3.75”：秒数75超过59；缺项：800米跑"), "{}", col(c, "备注"));
    // A missing item is 缺项, not an error.
    assert_eq!(col(&rows[3], "备注"), "缺项：50米跑");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_output_neither_csv_nor_xlsx_is_refused_and_nothing_is_written() {
    let (dir, _, o) = score("eduq-fit-out", "out.txt");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("输出文件须为 .csv 或 .xlsx"), "{o:?}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["in.csv"], "no output and no partial file");
    let _ = std::fs::remove_dir_all(&dir);
}
