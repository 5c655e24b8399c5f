/** How an app calls the gateway with its token, in each language the console shows: exact, ready to paste. */
const PROMPT = 'Name three grains, as a JSON array.';

export function snippets(origin: string, token: string): { language: string; code: string }[] {
  return [
    {
      language: 'curl',
      code: `curl -sS -X POST ${origin}/run \\
  -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\
  -d '{"prompt":"${PROMPT}"}'`,
    },
    {
      language: 'Python',
      code: `import json, urllib.request

request = urllib.request.Request(
    "${origin}/run",
    data=json.dumps({"prompt": "${PROMPT}"}).encode(),
    headers={"Authorization": "Bearer ${token}", "Content-Type": "application/json"},
)
with urllib.request.urlopen(request) as response:
    print(json.load(response)["result"])`,
    },
    {
      language: 'TypeScript',
      code: `const response = await fetch("${origin}/run", {
  method: "POST",
  headers: { Authorization: "Bearer ${token}", "Content-Type": "application/json" },
  body: JSON.stringify({ prompt: "${PROMPT}" }),
});
console.log((await response.json()).result);`,
    },
    {
      language: 'Rust',
      code: `// Cargo.toml: reqwest = { version = "0.12", features = ["blocking", "json"] }, serde_json = "1"
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let answer: serde_json::Value = reqwest::blocking::Client::new()
        .post("${origin}/run")
        .bearer_auth("${token}")
        .json(&serde_json::json!({ "prompt": "${PROMPT}" }))
        .send()?
        .error_for_status()?
        .json()?;
    println!("{}", answer["result"]);
    Ok(())
}`,
    },
  ];
}
