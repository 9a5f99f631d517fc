//! `cargo xtask man -o DIR`: the man pages of the `kubeleak` command line, generated with
//! clap_mangen from its clap definition (`kubeleak::cli::command`), so they never drift
//! from `--help`: `kubeleak.1` and one page per subcommand (`kubeleak-collect.1`, …).
//! Install: `cargo xtask man -o ~/.local/share/man/man1`, then `man kubeleak-collect`.

use std::path::Path;

pub fn run(out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let cmd = kubeleak::cli::command("kubeleak");
    clap_mangen::generate_to(cmd, out).map_err(|e| format!("cannot write the man pages in {}: {e}", out.display()))?;
    let mut names: Vec<String> = std::fs::read_dir(out)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("kubeleak") && n.ends_with(".1"))
        .collect();
    names.sort();
    println!("man pages in {}: {}", out.display(), names.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_for_the_command_and_each_subcommand() {
        let dir = std::env::temp_dir().join(format!("kubeleak-man-{}", std::process::id()));
        super::run(&dir).unwrap();
        let main = std::fs::read_to_string(dir.join("kubeleak.1")).unwrap();
        assert!(main.starts_with(".ie \\n(.g .ds Aq") || main.contains(".TH kubeleak 1"), "{main}");
        let collect = std::fs::read_to_string(dir.join("kubeleak-collect.1")).unwrap();
        assert!(collect.contains("all\\-namespaces") && collect.contains("debug\\-image"), "{collect}");
        assert!(collect.contains("Exit codes"), "{collect}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
