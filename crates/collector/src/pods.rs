//! The selected pods, as `kubectl get pods -o json` lists them: each pod's name, its
//! containers, and which of them restarted. `collect` asks kubectl for logs of these, and
//! `profile` runs the Python memory tools in their app containers.

/// A pod from `get pods -o json`: its name and containers (name, restarted).
#[derive(Debug, Clone, PartialEq)]
pub struct PodInfo {
    pub name: String,
    /// `metadata.namespace` (the pods of `-A` come from several).
    pub namespace: Option<String>,
    pub containers: Vec<(String, bool)>,
    /// Names of the containers that are not init containers, in order.
    pub app_containers: Vec<String>,
}

/// Pods and containers in `kubectl get pods -o json` output (a `List` or one `Pod`).
pub fn pods_from_json(text: &str) -> Result<Vec<PodInfo>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("cannot read `get pods -o json` output: {e}"))?;
    let items: Vec<&serde_json::Value> = match v.get("items").and_then(|i| i.as_array()) {
        Some(items) => items.iter().collect(),
        None if v.get("kind").and_then(|k| k.as_str()) == Some("Pod") => vec![&v],
        None => return Err("`get pods -o json` output is neither a list nor a pod".into()),
    };
    let mut pods = Vec::new();
    for item in items {
        let Some(name) = item.pointer("/metadata/name").and_then(|n| n.as_str()) else {
            continue;
        };
        let mut containers = Vec::new();
        let mut app_containers = Vec::new();
        for (spec, status) in [("initContainers", "initContainerStatuses"), ("containers", "containerStatuses")] {
            let statuses = item.pointer(&format!("/status/{status}")).and_then(|s| s.as_array());
            for c in item.pointer(&format!("/spec/{spec}")).and_then(|c| c.as_array()).into_iter().flatten() {
                let Some(cname) = c.get("name").and_then(|n| n.as_str()) else { continue };
                let restarted = statuses
                    .into_iter()
                    .flatten()
                    .find(|s| s.get("name").and_then(|n| n.as_str()) == Some(cname))
                    .and_then(|s| s.get("restartCount").and_then(|r| r.as_u64()))
                    .is_some_and(|r| r > 0);
                containers.push((cname.to_string(), restarted));
                if spec == "containers" {
                    app_containers.push(cname.to_string());
                }
            }
        }
        let namespace = item.pointer("/metadata/namespace").and_then(|n| n.as_str()).map(str::to_string);
        pods.push(PodInfo { name: name.to_string(), namespace, containers, app_containers });
    }
    Ok(pods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_and_restarted_containers() {
        let json = r#"{"kind":"List","items":[{"metadata":{"name":"w-1","namespace":"shop"},"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"worker"},{"name":"side"}]},
            "status":{"containerStatuses":[{"name":"worker","restartCount":2},{"name":"side","restartCount":0}]}}]}"#;
        let pods = pods_from_json(json).unwrap();
        assert_eq!(
            pods,
            vec![PodInfo {
                name: "w-1".into(),
                namespace: Some("shop".into()),
                containers: vec![("init".into(), false), ("worker".into(), true), ("side".into(), false)],
                app_containers: vec!["worker".into(), "side".into()],
            }]
        );
        assert!(pods_from_json("nope").is_err());
        let one = r#"{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}"#;
        assert_eq!(pods_from_json(one).unwrap()[0].containers, vec![("c".to_string(), false)]);
        assert_eq!(pods_from_json(one).unwrap()[0].namespace, None);
    }
}
