//! `eduq balance evaluate`: the JSON contract on a hand-computed county.

use std::process::Command;

#[test]
fn json_contract_and_hand_computed_values() {
    let dir = std::env::temp_dir().join(format!("eduq-balance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, out) = (dir.join("in.csv"), dir.join("out.json"));
    // A: 900 pupils exactly at each 小学 threshold (设备值 2500/生); B: 100 pupils, 设备值 6000/生.
    std::fs::write(
        &input,
        "学校代码,学校名称,在校生数,高于规定学历教师数,县级及以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数\n\
         3301000001,甲小学,900,45,10.8,9,4500,7200,2250000,22.5\n\
         3301000002,乙小学,100,5,1.2,1,500,800,600000,2.5\n",
    )
    .unwrap();
    let run = |stage: &str| {
        Command::new(env!("CARGO_BIN_EXE_eduq"))
            .args([
                "balance",
                "evaluate",
                "--in",
                input.to_str().unwrap(),
                "--stage",
                stage,
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let o = run("primary");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let keys: Vec<&str> = v["indicators"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "teachers_above_degree_per100",
            "backbone_teachers_per100",
            "pe_art_teachers_per100",
            "teaching_area_per_student",
            "sports_area_per_student",
            "equipment_value_per_student",
            "multimedia_rooms_per100"
        ]
    );
    let eq = &v["indicators"][5];
    assert!((eq["county_value"].as_f64().unwrap() - 2850.0).abs() < 1e-9);
    assert!((eq["cv"].as_f64().unwrap() - 1050.0 / 2850.0).abs() < 1e-12);
    assert_eq!(eq["cv_limit"], 0.5);
    assert_eq!(eq["cv_pass"], true);
    for k in ["name", "county_value", "cv", "cv_limit", "cv_pass"] {
        assert!(eq.get(k).is_some(), "{k}");
    }
    let a = &v["schools"][0];
    assert_eq!(a["code"], "3301000001");
    assert!((a["values"]["teachers_above_degree_per100"].as_f64().unwrap() - 5.0).abs() < 1e-12);
    assert_eq!((a["met"].as_u64(), a["pass"].as_bool()), (Some(7), Some(true)));
    assert_eq!(v["county_pass"], true);
    // Junior thresholds: 5.3 teachers per 100 and 5.8 m², so the same schools do not pass.
    assert!(run("junior").status.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["county_pass"], false);
    assert_eq!(v["indicators"][0]["cv_limit"], 0.45);
    // Bad rows are named; nothing is written.
    std::fs::remove_file(&out).unwrap();
    std::fs::write(&input, "学校代码,学校名称,在校生数,高于规定学历教师数,县级及以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数\n1,甲,0,1,1,1,1,1,1,1\n2,乙,10,-1,1,1,1,1,1,1\n").unwrap();
    let o = run("primary");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("第2行「在校生数」的值“0”应为正整数")
            && err.contains("第3行「高于规定学历教师数」的值“-1”不能为负数"),
        "{err}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
