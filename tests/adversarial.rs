use kubeleak_analysis::{analyze, input::Limits, report, Analysis, Input};
use kubeleak_tests::read_fixture;

fn run(name: &str) -> Analysis {
    let bytes = read_fixture(&format!("adversarial/{name}"));
    analyze(&[Input { name, bytes: &bytes }], &Limits::default())
}

#[test]
#[ignore]
fn probe() {
    for f in std::fs::read_dir(kubeleak_tests::fixture("adversarial")).unwrap() {
        let p = f.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let a = run(&name);
        println!("===== {name}");
        let d = report::model_dump(&a);
        println!("{}", serde_json::to_string_pretty(&d).unwrap());
    }
}
