package demo

import "github.com/ecopulse/ecopulse/domain"

// Everything here is invented: any likeness to a real organisation or person
// is a coincidence.

// Segments of the demo ecosystem.
const (
	segNLP        = "NLP"
	segVision     = "vision"
	segSpeech     = "speech"
	segSmartHome  = "smart home"
	segHealthcare = "healthcare"
	segFintech    = "fintech"
)

var segments = []string{segNLP, segVision, segSpeech, segSmartHome, segHealthcare, segFintech}

// Partner tiers.
const (
	tierStrategic = "strategic"
	tierGold      = "gold"
	tierSilver    = "silver"
)

type memberSpec struct {
	name    string
	slug    string
	kind    domain.MemberKind
	tier    string
	segment string
	tz      int // usual UTC offset of the member's people and traffic, hours
}

// catalog lists the demo members in the order they are taken: the first
// dozen already cover every segment and every kind, so a small demo is still
// varied.
var catalog = []memberSpec{
	{"Quillstone Language Systems", "quillstone", domain.KindPartner, tierStrategic, segNLP, -5},
	{"Prism Vision Technologies", "prism-vision", domain.KindPartner, tierStrategic, segVision, -8},
	{"Lumen Speech Labs", "lumen-speech-labs", domain.KindPartner, tierGold, segSpeech, 1},
	{"Hearthlight Home Systems", "hearthlight", domain.KindPartner, tierStrategic, segSmartHome, 8},
	{"Northwind Health AI", "northwind-health-ai", domain.KindPartner, tierStrategic, segHealthcare, -5},
	{"Ledgerline Financial AI", "ledgerline", domain.KindPartner, tierStrategic, segFintech, 0},
	{"Platform Developer Relations", "platform-devrel", domain.KindInternal, "", segNLP, 1},
	{"Wordloom Studio", "wordloom-studio", domain.KindDeveloperOrg, "", segNLP, 2},
	{"Meridian Institute of Computational Linguistics", "meridian-icl", domain.KindResearch, "", segNLP, 1},
	{"Aperture Nine", "aperture-nine", domain.KindPartner, tierGold, segVision, 9},
	{"Nordvik Institute for Speech Research", "nordvik-speech", domain.KindResearch, "", segSpeech, 1},
	{"Meadowlark Care Apps", "meadowlark-care", domain.KindDeveloperOrg, "", segHealthcare, -6},
	{"Nestwell Devices", "nestwell-devices", domain.KindPartner, tierGold, segSmartHome, 8},
	{"Fathom Risk Analytics", "fathom-risk", domain.KindPartner, tierGold, segFintech, 0},
	{"Pixelgrove Studio", "pixelgrove", domain.KindDeveloperOrg, "", segVision, 5},
	{"Cadence Voice Studio", "cadence-voice", domain.KindDeveloperOrg, "", segSpeech, -3},
	{"Lanternhouse IoT", "lanternhouse-iot", domain.KindDeveloperOrg, "", segSmartHome, 2},
	{"Caduceus Analytics", "caduceus-analytics", domain.KindPartner, tierGold, segHealthcare, -5},
	{"Coinwright", "coinwright", domain.KindDeveloperOrg, "", segFintech, 8},
	{"Applied Vision Team", "applied-vision-team", domain.KindInternal, "", segVision, 1},
	{"Parlance AI", "parlance-ai", domain.KindPartner, tierGold, segNLP, -8},
	{"Halvorsen Visual Computing Lab", "halvorsen-vcl", domain.KindResearch, "", segVision, 1},
	{"Echofield Audio", "echofield-audio", domain.KindPartner, tierSilver, segSpeech, 9},
	{"Domicile Dynamics", "domicile-dynamics", domain.KindPartner, tierSilver, segSmartHome, -5},
	{"Saltmarsh Clinical Informatics Lab", "saltmarsh-cil", domain.KindResearch, "", segHealthcare, 0},
	{"Quantara Research Institute", "quantara", domain.KindResearch, "", segFintech, 8},
	{"Voice Platform Team", "voice-platform-team", domain.KindInternal, "", segSpeech, 1},
	{"Copperleaf Docs", "copperleaf-docs", domain.KindDeveloperOrg, "", segNLP, -6},
	{"Kestrel Retail Vision", "kestrel-retail", domain.KindPartner, tierSilver, segVision, 0},
	{"Tonal Bridge", "tonal-bridge", domain.KindDeveloperOrg, "", segSpeech, 5},
	{"Pebble Ridge Automation", "pebble-ridge", domain.KindDeveloperOrg, "", segSmartHome, -7},
	{"Pinecrest Medical Imaging", "pinecrest-imaging", domain.KindPartner, tierSilver, segHealthcare, 1},
	{"Abacus & Vane", "abacus-vane", domain.KindPartner, tierSilver, segFintech, 0},
	{"Health AI Solutions Team", "health-ai-team", domain.KindInternal, "", segHealthcare, -5},
	{"Lexica Forge", "lexica-forge", domain.KindPartner, tierSilver, segNLP, 3},
	{"Framewise Labs", "framewise-labs", domain.KindDeveloperOrg, "", segVision, -3},
	{"Vital Sign Studio", "vital-sign-studio", domain.KindDeveloperOrg, "", segHealthcare, 2},
	{"Tillpoint Studio", "tillpoint", domain.KindDeveloperOrg, "", segFintech, 1},
	{"Sundial Smart Spaces", "sundial-spaces", domain.KindDeveloperOrg, "", segSmartHome, 10},
	{"Orchard Speech Research Centre", "orchard-speech", domain.KindResearch, "", segSpeech, 0},
	{"Greyhaven Fraud Labs", "greyhaven-fraud", domain.KindPartner, tierGold, segFintech, -5},
	{"Bramblewood Robotics Lab", "bramblewood-robotics", domain.KindResearch, "", segSmartHome, 9},
	{"Kitebird Apps", "kitebird-apps", domain.KindDeveloperOrg, "", segNLP, 5},
	{"Mosaic Health Partners", "mosaic-health", domain.KindPartner, tierSilver, segHealthcare, 1},
}

// Words for the members beyond the catalog.
var (
	extraPrefixes = []string{"Amberly", "Bluecrest", "Cinder", "Driftwood", "Emberline", "Foxglove", "Glasswing",
		"Harrow", "Ironbark", "Juniper", "Kelpie", "Larkspur", "Moorland", "Nimbus", "Oakhollow", "Palisade"}
	extraSuffixes = []struct {
		word    string
		kind    domain.MemberKind
		tier    string
		segment string
	}{
		{"Language Works", domain.KindDeveloperOrg, "", segNLP},
		{"Vision Partners", domain.KindPartner, tierSilver, segVision},
		{"Voice Labs", domain.KindDeveloperOrg, "", segSpeech},
		{"Home Tech", domain.KindPartner, tierSilver, segSmartHome},
		{"Health Research", domain.KindResearch, "", segHealthcare},
		{"Capital Analytics", domain.KindPartner, tierGold, segFintech},
	}
	timeZones = []int{-8, -5, -3, 0, 1, 2, 5, 8, 9}
)

// endpoint is an API endpoint of the platform.
type endpoint struct {
	path     string
	medianMS float64 // typical latency of a successful call
	sigma    float64 // spread of ln(latency)
	tail     float64 // share of calls in a slow tail (~5× the median)
	bytes    float64 // typical response size
	client   float64 // how prone the endpoint is to client errors (1 = average)
}

var endpoints = [...]endpoint{
	{"/v1/chat/completions", 430, 0.45, 0.02, 2600, 1.0},
	{"/v1/embeddings", 80, 0.35, 0.005, 22000, 0.7},
	{"/v1/images/generations", 1500, 0.3, 0.02, 240000, 1.4},
	{"/v1/audio/transcriptions", 620, 0.4, 0.01, 1800, 1.2},
	{"/v1/audio/speech", 310, 0.35, 0.01, 96000, 0.8},
	{"/v1/moderations", 95, 0.3, 0.005, 700, 0.5},
}

const (
	epChat = iota
	epEmbeddings
	epImages
	epTranscriptions
	epSpeech
	epModerations
)

type share struct {
	ep int
	w  float64
}

// segmentEndpoints is the traffic mix of a segment's production keys.
var segmentEndpoints = map[string][]share{
	segNLP:        {{epChat, 0.7}, {epEmbeddings, 0.22}, {epModerations, 0.08}},
	segVision:     {{epImages, 0.45}, {epChat, 0.4}, {epEmbeddings, 0.15}},
	segSpeech:     {{epTranscriptions, 0.65}, {epSpeech, 0.25}, {epChat, 0.1}},
	segSmartHome:  {{epTranscriptions, 0.45}, {epChat, 0.4}, {epSpeech, 0.15}},
	segHealthcare: {{epChat, 0.55}, {epEmbeddings, 0.3}, {epTranscriptions, 0.15}},
	segFintech:    {{epChat, 0.5}, {epEmbeddings, 0.35}, {epModerations, 0.15}},
}

// batchEndpoint is what a segment's nightly batch jobs call.
var batchEndpoint = map[string]int{
	segNLP: epEmbeddings, segVision: epEmbeddings, segSpeech: epTranscriptions,
	segSmartHome: epTranscriptions, segHealthcare: epEmbeddings, segFintech: epEmbeddings,
}

// unmappedConsumers are keys seen at the gateway that belong to no member yet.
var unmappedConsumers = []struct {
	key, name string
	scale     float64
	mix       []share
}{
	{"key_trial_7f3a9c", "Free-trial key 7f3a9c", 9, []share{{epChat, 0.85}, {epModerations, 0.15}}},
	{"key_hackathon_spring", "Spring hackathon shared key", 5, []share{{epChat, 0.6}, {epImages, 0.4}}},
	{"key_legacy_gateway", "Legacy gateway (unassigned)", 25, []share{{epEmbeddings, 0.7}, {epChat, 0.3}}},
}

// Community sources and repositories.
const (
	srcGitHub    = "github"
	srcDiscourse = "discourse"
	githubOrg    = "ecopulse-demo"
)

var repos = [...]string{"sdk-python", "sdk-js", "model-cookbook", "edge-runtime", "eval-harness"}

// segmentRepos weighs the repositories people of a segment work on.
var segmentRepos = map[string][]float64{
	segNLP:        {4, 3, 3, 0.3, 1.5},
	segVision:     {3, 2, 3, 1, 1.5},
	segSpeech:     {3, 1.5, 2, 3, 1},
	segSmartHome:  {2, 2.5, 1.5, 4, 0.5},
	segHealthcare: {3.5, 1.5, 2, 0.5, 3},
	segFintech:    {4, 2.5, 2, 0.3, 1.5},
	"":            {3, 3, 3, 1, 1},
}

// Thread titles. A few are specific to a segment, most are not.
var (
	issueTitles = []string{
		"Streaming responses stop after the first chunk behind a proxy",
		"Client retries on 400 instead of failing fast",
		"Embeddings endpoint returns 429 under batch load",
		"Timeouts are not configurable per request",
		"Type hints missing for the tool-call response",
		"Async client leaks connections when cancelled",
		"Rate-limit headers are not exposed on errors",
		"Docs example for function calling is out of date",
		"Unicode normalisation breaks token counting",
		"Proxy settings ignored on Windows",
		"Request IDs should be logged at debug level",
		"Support for idempotency keys",
		"Batch API results arrive out of order",
		"Error message for invalid API key is misleading",
		"Retry-After header is ignored by the default backoff",
		"Memory grows when reusing the client across threads",
	}
	prTitles = []string{
		"Add exponential backoff with jitter",
		"Expose response headers on API errors",
		"Fix typo in the quickstart",
		"Add streaming example for server-sent events",
		"Support custom HTTP transport",
		"Add tool-calling helpers",
		"Make the request timeout configurable",
		"Add pagination helpers for list endpoints",
		"Handle empty choices in chat responses",
		"Bump minimum runtime version in CI",
		"Add structured-output validation example",
		"Reduce allocations in the SSE parser",
	}
	topicTitles = []string{
		"Best practice for prompt caching in production?",
		"How do you evaluate RAG answers at scale?",
		"Sharing our latency numbers after moving to streaming",
		"Is there a way to get usage per API key?",
		"Fine-tuning vs. retrieval for domain vocabulary",
		"Announcing our open-source connector",
		"Billing alerts before hitting the monthly cap",
		"Moderation thresholds: what do you use?",
		"Migrating from the v0 SDK: gotchas",
		"Looking for a partner for a joint pilot",
		"Office hours recap and Q&A",
		"Handling 5xx during last week's incident",
	}
	segmentTitles = map[string][]string{
		segNLP:        {"Long-document summarisation loses section headings", "Tokenizer differs between SDK and server", "Multilingual embeddings for Thai and Vietnamese"},
		segVision:     {"Image generation ignores the aspect ratio", "Vision input: best resolution for receipts?", "Batching image requests without hitting limits"},
		segSpeech:     {"Transcription drops the first word after silence", "Speaker diarisation for call-centre audio", "Streaming TTS with low first-byte latency"},
		segSmartHome:  {"Wake-word handoff to transcription adds 400 ms", "Running the edge runtime on ARMv7", "Offline fallback when the hub loses connectivity"},
		segHealthcare: {"De-identifying notes before summarisation", "Medical terminology in transcriptions", "Audit logging for clinical pilots"},
		segFintech:    {"PII redaction before embeddings", "Deterministic outputs for audit trails", "Classifying transaction descriptions at scale"},
	}
)

// Project templates: the demo's cooperation projects.
type projectSpec struct {
	slug, name, segment, scope string
}

var projectCatalog = []projectSpec{
	{"clinical-notes-pilot", "Clinical Notes Summarisation Pilot", segHealthcare, "Summarise discharge notes with the chat API for three partner clinics, under a data-processing agreement."},
	{"multilingual-voice-assistant", "Multilingual Voice Assistant", segSmartHome, "Voice control in eight languages for smart-home hubs: wake word on device, transcription and intent in the cloud."},
	{"fraud-signal-embeddings", "Fraud Signal Embeddings Benchmark", segFintech, "A shared benchmark of transaction embeddings for fraud detection, with an anonymised dataset."},
	{"on-device-wake-word", "On-device Wake-word Model", segSpeech, "A small wake-word model for low-power devices, distilled from the platform's speech models."},
	{"retail-shelf-recognition", "Retail Shelf Recognition", segVision, "Product recognition on shelf photos for stock audits, evaluated in twenty stores."},
	{"contract-clause-extraction", "Contract Clause Extraction", segNLP, "Extract and classify clauses from commercial contracts with structured outputs."},
	{"medical-imaging-eval", "Open Medical Imaging Eval Suite", segHealthcare, "An open evaluation suite for vision models on de-identified medical images."},
	{"low-resource-asr", "Low-resource Language ASR", segSpeech, "Collect and transcribe speech in under-served languages; publish the data and a baseline."},
	{"support-agent-playbook", "Customer Support Agent Playbook", segNLP, "A reference design and playbook for support agents built on tool calling."},
	{"elder-care-fall-detection", "Elder-care Fall Detection", segVision, "Privacy-preserving fall detection for assisted living, on-device first."},
	{"credit-memo-assistant", "Credit Memo Drafting Assistant", segFintech, "Draft credit memos from financial statements, with analyst review and audit trail."},
	{"realtime-meeting-transcription", "Realtime Meeting Transcription", segSpeech, "Live captions and summaries for video meetings in five languages."},
	{"energy-aware-home", "Energy-aware Home Automation", segSmartHome, "Schedule appliances from tariffs and forecasts with natural-language rules."},
	{"radiology-report-structuring", "Radiology Report Structuring", segHealthcare, "Turn free-text radiology reports into structured findings."},
	{"document-visual-qa", "Document Visual QA", segVision, "Question answering over scanned forms and invoices."},
	{"kyc-document-verification", "KYC Document Verification", segFintech, "Check identity documents and proof of address for onboarding."},
	{"safety-classifier-redteam", "Safety Classifier Red-teaming", segNLP, "Joint red-teaming of the moderation models with research partners."},
	{"tokenizer-efficiency-study", "Tokenizer Efficiency Study", segNLP, "Measure tokenizer efficiency across 40 languages and propose improvements."},
}

var milestoneTitles = []string{
	"Kick-off and data-sharing agreement",
	"Requirements and success metrics signed off",
	"Prototype on staging keys",
	"Evaluation report v1",
	"Security and privacy review",
	"Pilot with first customers",
	"Production launch",
	"Joint case study published",
}

// People's names.
var (
	firstNames = []string{"Amara", "Bao", "Carmen", "Dmitri", "Elif", "Farid", "Grace", "Hiroshi", "Ines", "Jonas",
		"Kavya", "Liam", "Mei", "Nikolai", "Olusegun", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
		"Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zainab", "Aiko", "Bruno", "Chloe", "Diego",
		"Emeka", "Freya", "Gabriel", "Hana", "Ivan", "Jasmine", "Kenji", "Leila", "Mateo", "Nadia",
		"Oskar", "Paula", "Rafael", "Sakura", "Tomas", "Ulla", "Valentina", "William", "Xin", "Yara",
		"Zoltan", "Anika", "Ben", "Chidi", "Daria", "Elias", "Fatima", "Goran", "Helena", "Ishaan"}
	lastNames = []string{"Okafor", "Nguyen", "Silva", "Petrov", "Yilmaz", "Haddad", "Kim", "Tanaka", "Moreau", "Lindqvist",
		"Iyer", "O'Brien", "Chen", "Volkov", "Adeyemi", "Raman", "Laurent", "Garcia", "Berg", "Rahman",
		"Shah", "Novak", "Zhang", "Ortega", "Aydin", "Bello", "Sato", "Costa", "Dubois", "Herrera",
		"Eze", "Larsen", "Fontaine", "Park", "Kowalski", "Mensah", "Watanabe", "Karimi", "Rossi", "Haidari",
		"Nilsson", "Schmidt", "Alvarez", "Mori", "Horvath", "Virtanen", "Romero", "Walsh", "Liu", "Farouk"}
)
