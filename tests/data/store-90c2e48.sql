BEGIN TRANSACTION;
CREATE TABLE budget_alerts (
	month VARCHAR(7) NOT NULL, 
	budget_usd FLOAT NOT NULL, 
	spent_usd FLOAT NOT NULL, 
	projected_usd FLOAT NOT NULL, 
	delivered_at DATETIME, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (owner, month, budget_usd)
);
INSERT INTO "budget_alerts" VALUES('2026-12',1.0e-06,9.72711477002986932456e-04,6.87370560026716259649e-01,NULL,'51ed8f13-f5a4-45a5-b404-d33ef06c6a0b','root','2026-12-02 14:20:45.230394','2026-12-02 14:20:45.230399','pending','2026-12: $0.000973 spent, $0.687371 projected = 68,737,056% of the $0.000001 budget');
CREATE TABLE budgets (
	monthly_usd FLOAT NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (owner)
);
INSERT INTO "budgets" VALUES(1.0e-06,'a9e0e00b-0aef-44d0-be7f-6b7020c2e983','root','2026-12-02 14:20:27.889417','2026-12-02 14:20:27.889423','ready',NULL);
CREATE TABLE catalog_versions (
	source VARCHAR(256) NOT NULL, 
	live BOOLEAN NOT NULL, 
	fetched_at DATETIME NOT NULL, 
	offer_count INTEGER NOT NULL, 
	artifact_key VARCHAR(512) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO "catalog_versions" VALUES('snapshot 2025-11-30 (ec2instances.info via tsaol/aws-gpu)',0,'2026-12-02 14:20:21.661290',1127,'catalogs/20261202T142021661290-snapshot.csv','7f5c037e-593f-492f-a504-39aafe3d53cb','root','2026-12-02 14:20:21.686510','2026-12-02 14:20:21.686518','ready',NULL);
CREATE TABLE cost_records (
	resource_kind VARCHAR(16) NOT NULL, 
	resource_id VARCHAR(36) NOT NULL, 
	pricing VARCHAR(16) NOT NULL, 
	instance_type VARCHAR(32), 
	region VARCHAR(32), 
	node_count INTEGER NOT NULL, 
	seconds FLOAT NOT NULL, 
	period_start DATETIME NOT NULL, 
	period_end DATETIME NOT NULL, 
	paid_usd FLOAT NOT NULL, 
	baseline_usd FLOAT NOT NULL, 
	baseline VARCHAR(64) NOT NULL, 
	simulated BOOLEAN NOT NULL, 
	detail JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO "cost_records" VALUES('training','99b53b14-673d-419b-8993-2d54e70fba0c','on_demand','t3.large','ap-south-1',1,23.992998,'2026-12-02 14:19:37.864576','2026-12-02 14:20:01.857574',5.54504842666666631148e-04,5.54504842666666631148e-04,'on-demand t3.large',1,'{"slot": "head", "node_id": "903d0ce7bae9472a20e0b802edc7f6fcba52b086561a36c80b3fbd3f", "usd_per_hour": 0.0832, "ondemand_usd_per_hour": 0.0832, "rework_seconds": 0.0, "end_reason": "stopped", "managed": "SageMaker training", "managed_instance": "ml.t3.large", "managed_usd": 0.0006931310533333333, "managed_usd_per_hour": 0.104, "managed_estimated": true}','a21b0378-e96f-4729-b7b2-b0e546ff434f','root','2026-12-02 14:20:02.058206','2026-12-02 14:20:02.058214','ready',NULL);
INSERT INTO "cost_records" VALUES('training','99b53b14-673d-419b-8993-2d54e70fba0c','spot','g6f.large','ap-south-1',1,21.767231,'2026-12-02 14:19:40.090343','2026-12-02 14:20:01.857574',2.21300181833333314785e-04,1.46662765315555532717e-03,'on-demand g6f.large',1,'{"slot": "worker-0", "node_id": "0da3c4687bee5f8e64d703ec7531272732e8a05cef1b0ae979a1ec2f", "usd_per_hour": 0.0366, "ondemand_usd_per_hour": 0.24256, "rework_seconds": 0.0, "end_reason": "stopped", "managed": "SageMaker training", "managed_instance": "ml.g6f.large", "managed_usd": 0.0018332845664444444, "managed_usd_per_hour": 0.3032, "managed_estimated": true}','55868d94-0990-441b-a069-7bfe2f464c5f','root','2026-12-02 14:20:02.066385','2026-12-02 14:20:02.066391','ready',NULL);
INSERT INTO "cost_records" VALUES('training','99b53b14-673d-419b-8993-2d54e70fba0c','spot','g6f.large','ap-south-1',1,19.343418,'2026-12-02 14:19:42.514156','2026-12-02 14:20:01.857574',1.96658083000000020621e-04,1.3033165194666668403e-03,'on-demand g6f.large',1,'{"slot": "worker-1", "node_id": "20f94da51aace291f8703c83759d0de6f8f7cda8cd22960fcfbc078f", "usd_per_hour": 0.0366, "ondemand_usd_per_hour": 0.24256, "rework_seconds": 0.0, "end_reason": "stopped", "managed": "SageMaker training", "managed_instance": "ml.g6f.large", "managed_usd": 0.0016291456493333334, "managed_usd_per_hour": 0.3032, "managed_estimated": true}','8d7fcd1b-534e-41f6-977d-c00891a44d43','root','2026-12-02 14:20:02.067913','2026-12-02 14:20:02.067916','ready',NULL);
INSERT INTO "cost_records" VALUES('endpoint','b3b2ab5e-71f3-4057-961f-d44f6d24de9d','serverless',NULL,NULL,1,1.029439,'2026-12-02 14:20:04.841025','2026-12-02 14:20:05.870464',2.48369502986940224624e-07,5.80432874977532282326e-08,'SageMaker Serverless Inference',1,'{"memory_mb": 704, "busy_seconds": 0.004221329999836598, "requests": 1, "request_fee_usd": 2.0000000000000002e-07, "catalog": "snapshot 2025-11-30 (ec2instances.info via tsaol/aws-gpu)", "managed": "SageMaker Serverless Inference", "managed_usd": 5.804328749775323e-08}','cc2e6d4c-9c6c-4d89-bb5e-8252d560a74b','root','2026-12-02 14:20:05.917452','2026-12-02 14:20:05.917459','ready',NULL);
INSERT INTO "cost_records" VALUES('endpoint','b3b2ab5e-71f3-4057-961f-d44f6d24de9d','serverless',NULL,NULL,1,39.218859,'2026-12-02 14:20:05.870464','2026-12-02 14:20:45.089323',0.0,0.0,'SageMaker Serverless Inference',1,'{"memory_mb": 704, "busy_seconds": 0.0, "requests": 0, "request_fee_usd": 0.0, "catalog": "snapshot 2025-11-30 (ec2instances.info via tsaol/aws-gpu)", "managed": "SageMaker Serverless Inference", "managed_usd": 0.0}','6603e7ee-458b-4940-ac60-f4b45a642929','root','2026-12-02 14:20:45.091720','2026-12-02 14:20:45.091725','ready',NULL);
CREATE TABLE current_versions (
	"table" VARCHAR(32) NOT NULL, 
	name VARCHAR(20) NOT NULL, 
	version INTEGER NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (owner, "table", name)
);
CREATE TABLE datasets (
	name VARCHAR(20) NOT NULL, 
	version INTEGER NOT NULL, 
	content_sha256 VARCHAR(64) NOT NULL, 
	artifact_key VARCHAR(512) NOT NULL, 
	size_bytes INTEGER NOT NULL, 
	manifest JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (owner, name, version)
);
INSERT INTO "datasets" VALUES('mlp',1,'45cd8884103551bd23015c5bbe80263535a647d9e3d3b9186e0c325f4019e0d9','datasets/root/mlp/sha256-45cd8884103551bd23015c5bbe80263535a647d9e3d3b9186e0c325f4019e0d9/bundle.zip',175222,'{"layout": "csv", "x": null, "y": null, "file": "data.csv", "target": "target", "requirements": [], "num_samples": 2048, "x_shape": [8]}','6410ea74-d4ea-4458-801c-d4808fdb9966','root','2026-12-02 14:19:25.122106','2026-12-02 14:19:25.122113','ready',NULL);
CREATE TABLE elections (
	catalog_version_id VARCHAR(36) NOT NULL, 
	election VARCHAR(32) NOT NULL, 
	region VARCHAR(32) NOT NULL, 
	pools JSON NOT NULL, 
	changed BOOLEAN NOT NULL, 
	diff JSON NOT NULL, 
	result JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(catalog_version_id) REFERENCES catalog_versions (id)
);
INSERT INTO "elections" VALUES('7f5c037e-593f-492f-a504-39aafe3d53cb','sskai','us-east-1','{"sskai-gpu-3g": ["g5g.xlarge", "g6f.large", "g6f.xlarge"], "sskai-gpu-6g": ["g5g.xlarge", "g6e.4xlarge", "g6f.2xlarge"], "sskai-gpu-12g": ["g5g.xlarge", "g6f.4xlarge", "gr6f.4xlarge"], "sskai-gpu-16g": ["g4dn.2xlarge", "g4dn.xlarge", "g5g.4xlarge", "g5g.xlarge", "p3.2xlarge"], "sskai-gpu-24g": ["g5.2xlarge", "g5.xlarge", "g6.2xlarge", "g6.4xlarge", "g6.xlarge"], "sskai-gpu-32g": ["g6e.4xlarge", "g6e.xlarge", "p3dn.24xlarge"], "sskai-gpu-40g": ["g6e.4xlarge", "g6e.xlarge", "p4d.24xlarge"], "sskai-gpu-48g": ["g6e.12xlarge", "g6e.24xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.xlarge"], "sskai-gpu-80g": ["p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge"], "sskai-gpu-141g": ["p5en.48xlarge"]}',1,'{"sskai-gpu-12g": {"added": ["g5g.xlarge", "g6f.4xlarge", "gr6f.4xlarge"], "removed": []}, "sskai-gpu-141g": {"added": ["p5en.48xlarge"], "removed": []}, "sskai-gpu-16g": {"added": ["g4dn.2xlarge", "g4dn.xlarge", "g5g.4xlarge", "g5g.xlarge", "p3.2xlarge"], "removed": []}, "sskai-gpu-24g": {"added": ["g5.2xlarge", "g5.xlarge", "g6.2xlarge", "g6.4xlarge", "g6.xlarge"], "removed": []}, "sskai-gpu-32g": {"added": ["g6e.4xlarge", "g6e.xlarge", "p3dn.24xlarge"], "removed": []}, "sskai-gpu-3g": {"added": ["g5g.xlarge", "g6f.large", "g6f.xlarge"], "removed": []}, "sskai-gpu-40g": {"added": ["g6e.4xlarge", "g6e.xlarge", "p4d.24xlarge"], "removed": []}, "sskai-gpu-48g": {"added": ["g6e.12xlarge", "g6e.24xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.xlarge"], "removed": []}, "sskai-gpu-6g": {"added": ["g5g.xlarge", "g6e.4xlarge", "g6f.2xlarge"], "removed": []}, "sskai-gpu-80g": {"added": ["p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge"], "removed": []}}','{"election": "sskai", "job": {"name": "nodepool-reference", "kind": "train", "min_accelerator_memory_gib": 0.0, "min_total_accelerator_memory_gib": 0.0, "precision": "bf16", "work_flops": 1e+18, "flops_per_second": 0.0, "bytes_per_second": 0.0, "checkpoint_interval_seconds": 600, "checkpoint_seconds": 5.0, "restart_seconds": 180.0, "regions": ["us-east-1"], "data_region": null, "data_gb": 0.0, "top_k": 5, "measured_flops_per_second": []}, "considered": 52, "reasons": ["ranked 52 eligible spot offers by expected USD to finish, trace-calibrated interruptions priced in; top 5 per accelerator-memory tier"], "tiers": {"3.0": [{"instance_type": "g6f.large", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.125, "memory_tier_gib": 3.0, "spot_usd_per_hour": 0.052725, "ondemand_usd_per_hour": 0.202, "interruption_frequency": "5-10%", "score": -2.816744937718586, "numbers": {"usd_per_hour": 0.052725, "flops_per_second": 5293750000000.0, "compute_hours": 52.47277974550702, "interruptions_per_hour": 0.06509915948515235, "inflation": 1.017162187125594, "expected_hours": 53.42332741049949, "transfer_usd": 0.0, "wait_hours": 0.8933632330865329, "expected_usd": 2.816744937718586, "expected_interruptions": 3.4778137113236176, "expected_completion_hours": 54.31669064358602, "risk_hazard_per_hour": 0.06509915948515235, "risk_availability": 0.8923447874597296, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.19950879841815916}, "risk_basis": "advisor bucket: Advisor bucket 5-10% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6f.xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.125, "memory_tier_gib": 3.0, "spot_usd_per_hour": 0.0664, "ondemand_usd_per_hour": 0.2375, "interruption_frequency": "5-10%", "score": -3.547308940057166, "numbers": {"usd_per_hour": 0.0664, "flops_per_second": 5293750000000.0, "compute_hours": 52.47277974550702, "interruptions_per_hour": 0.06509915948515235, "inflation": 1.017162187125594, "expected_hours": 53.42332741049949, "transfer_usd": 0.0, "wait_hours": 0.8933632330865329, "expected_usd": 3.547308940057166, "expected_interruptions": 3.4778137113236176, "expected_completion_hours": 54.31669064358602, "risk_hazard_per_hour": 0.06509915948515235, "risk_availability": 0.8923447874597296, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.19950879841815916}, "risk_basis": "advisor bucket: Advisor bucket 5-10% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "6.0": [{"instance_type": "g6f.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.25, "memory_tier_gib": 6.0, "spot_usd_per_hour": 0.191125, "ondemand_usd_per_hour": 0.475, "interruption_frequency": ">20%", "score": -5.274861542841928, "numbers": {"usd_per_hour": 0.191125, "flops_per_second": 10587500000000.0, "compute_hours": 26.23638987275351, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 27.599013958623566, "transfer_usd": 0.0, "wait_hours": 6.076689668834857, "expected_usd": 5.274861542841928, "expected_interruptions": 8.219797746940381, "expected_completion_hours": 33.675703627458425, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "12.0": [{"instance_type": "gr6f.4xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.5, "memory_tier_gib": 12.0, "spot_usd_per_hour": 0.3887, "ondemand_usd_per_hour": 1.066, "interruption_frequency": ">20%", "score": -5.37358586285849, "numbers": {"usd_per_hour": 0.3887, "flops_per_second": 21175000000000.0, "compute_hours": 13.118194936376755, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 13.824506979311783, "transfer_usd": 0.0, "wait_hours": 3.3727979688451115, "expected_usd": 5.37358586285849, "expected_interruptions": 4.117344608451215, "expected_completion_hours": 17.197304948156894, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6f.4xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.5, "memory_tier_gib": 12.0, "spot_usd_per_hour": 0.413725, "ondemand_usd_per_hour": 0.95, "interruption_frequency": ">20%", "score": -5.719544150015768, "numbers": {"usd_per_hour": 0.413725, "flops_per_second": 21175000000000.0, "compute_hours": 13.118194936376755, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 13.824506979311783, "transfer_usd": 0.0, "wait_hours": 3.3727979688451115, "expected_usd": 5.719544150015768, "expected_interruptions": 4.117344608451215, "expected_completion_hours": 17.197304948156894, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "16.0": [{"instance_type": "g5g.xlarge", "region": "us-east-1", "accelerator": "NVIDIA T4G Tensor Core", "accelerator_count": 1.0, "memory_tier_gib": 16.0, "spot_usd_per_hour": 0.129125, "ondemand_usd_per_hour": 0.42, "interruption_frequency": ">20%", "score": -1.661953318139536, "numbers": {"usd_per_hour": 0.129125, "flops_per_second": 22750000000000.0, "compute_hours": 12.21001221001221, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 12.870887265359428, "transfer_usd": 0.0, "wait_hours": 3.185605466538129, "expected_usd": 1.661953318139536, "expected_interruptions": 3.8333286219404266, "expected_completion_hours": 16.056492731897556, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "p3.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA Tesla V100", "accelerator_count": 1.0, "memory_tier_gib": 16.0, "spot_usd_per_hour": 0.316025, "ondemand_usd_per_hour": 3.06, "interruption_frequency": ">20%", "score": -2.228431322935419, "numbers": {"usd_per_hour": 0.316025, "flops_per_second": 43750000000000.0, "compute_hours": 6.34920634920635, "interruptions_per_hour": 0.6420003481602465, "inflation": 1.1027267984726792, "expected_hours": 7.051439990302725, "transfer_usd": 0.0, "wait_hours": 1.597958611640765, "expected_usd": 2.228431322935419, "expected_interruptions": 4.5270269288054354, "expected_completion_hours": 8.64939860194349, "risk_hazard_per_hour": 0.6420003481602465, "risk_availability": 0.7132833620523329, "risk_mean_wait_hours": 1.0083726330832885, "risk_expected_start_wait_hours": 0.289117211156077}, "risk_basis": "trace: 4 traced zone(s) over 45.6 days: 1174 losses in 1,829 instance-hours"}, {"instance_type": "g4dn.xlarge", "region": "us-east-1", "accelerator": "NVIDIA T4 Tensor Core", "accelerator_count": 1.0, "memory_tier_gib": 16.0, "spot_usd_per_hour": 0.1766, "ondemand_usd_per_hour": 0.526, "interruption_frequency": ">20%", "score": -2.272998691062475, "numbers": {"usd_per_hour": 0.1766, "flops_per_second": 22750000000000.0, "compute_hours": 12.21001221001221, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 12.870887265359428, "transfer_usd": 0.0, "wait_hours": 3.185605466538129, "expected_usd": 2.272998691062475, "expected_interruptions": 3.8333286219404266, "expected_completion_hours": 16.056492731897556, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g4dn.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA T4 Tensor Core", "accelerator_count": 1.0, "memory_tier_gib": 16.0, "spot_usd_per_hour": 0.2554, "ondemand_usd_per_hour": 0.752, "interruption_frequency": ">20%", "score": -3.287224607572798, "numbers": {"usd_per_hour": 0.2554, "flops_per_second": 22750000000000.0, "compute_hours": 12.21001221001221, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 12.870887265359428, "transfer_usd": 0.0, "wait_hours": 3.185605466538129, "expected_usd": 3.287224607572798, "expected_interruptions": 3.8333286219404266, "expected_completion_hours": 16.056492731897556, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g5g.4xlarge", "region": "us-east-1", "accelerator": "NVIDIA T4G Tensor Core", "accelerator_count": 1.0, "memory_tier_gib": 16.0, "spot_usd_per_hour": 0.2714, "ondemand_usd_per_hour": 0.828, "interruption_frequency": ">20%", "score": -3.4931588038185484, "numbers": {"usd_per_hour": 0.2714, "flops_per_second": 22750000000000.0, "compute_hours": 12.21001221001221, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 12.870887265359428, "transfer_usd": 0.0, "wait_hours": 3.185605466538129, "expected_usd": 3.4931588038185484, "expected_interruptions": 3.8333286219404266, "expected_completion_hours": 16.056492731897556, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "24.0": [{"instance_type": "g6.xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 1.0, "memory_tier_gib": 24.0, "spot_usd_per_hour": 0.35575, "ondemand_usd_per_hour": 0.8048, "interruption_frequency": ">20%", "score": -2.4679279289450835, "numbers": {"usd_per_hour": 0.35575, "flops_per_second": 42350000000000.0, "compute_hours": 6.559097468188377, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 6.937253489655891, "transfer_usd": 0.0, "wait_hours": 2.020852118850239, "expected_usd": 2.4679279289450835, "expected_interruptions": 2.066118039206632, "expected_completion_hours": 8.95810560850613, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g5.xlarge", "region": "us-east-1", "accelerator": "NVIDIA A10G", "accelerator_count": 1.0, "memory_tier_gib": 24.0, "spot_usd_per_hour": 0.39388, "ondemand_usd_per_hour": 1.006, "interruption_frequency": ">20%", "score": -2.6456373595614813, "numbers": {"usd_per_hour": 0.39388, "flops_per_second": 43750000000000.0, "compute_hours": 6.34920634920635, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 6.716861377986903, "transfer_usd": 0.0, "wait_hours": 1.9775898516504031, "expected_usd": 2.6456373595614813, "expected_interruptions": 2.0004787889908053, "expected_completion_hours": 8.694451229637306, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g5.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA A10G", "accelerator_count": 1.0, "memory_tier_gib": 24.0, "spot_usd_per_hour": 0.43682, "ondemand_usd_per_hour": 1.212, "interruption_frequency": "15-20%", "score": -2.879620910081463, "numbers": {"usd_per_hour": 0.43682, "flops_per_second": 43750000000000.0, "compute_hours": 6.34920634920635, "interruptions_per_hour": 0.16063366993304842, "inflation": 1.0304023072153987, "expected_hours": 6.592236871208881, "transfer_usd": 0.0, "wait_hours": 0.8753111037277871, "expected_usd": 2.879620910081463, "expected_interruptions": 1.0589352016902391, "expected_completion_hours": 7.467547974936668, "risk_hazard_per_hour": 0.16063366993304842, "risk_availability": 0.7706003406768717, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.4251280482305704}, "risk_basis": "advisor bucket: Advisor bucket 15-20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 1.0, "memory_tier_gib": 24.0, "spot_usd_per_hour": 0.428225, "ondemand_usd_per_hour": 0.9776, "interruption_frequency": ">20%", "score": -2.9707053756078943, "numbers": {"usd_per_hour": 0.428225, "flops_per_second": 42350000000000.0, "compute_hours": 6.559097468188377, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 6.937253489655891, "transfer_usd": 0.0, "wait_hours": 2.020852118850239, "expected_usd": 2.9707053756078943, "expected_interruptions": 2.066118039206632, "expected_completion_hours": 8.95810560850613, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6.4xlarge", "region": "us-east-1", "accelerator": "NVIDIA L4", "accelerator_count": 1.0, "memory_tier_gib": 24.0, "spot_usd_per_hour": 0.5206, "ondemand_usd_per_hour": 1.3232, "interruption_frequency": ">20%", "score": -3.6115341667148564, "numbers": {"usd_per_hour": 0.5206, "flops_per_second": 42350000000000.0, "compute_hours": 6.559097468188377, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 6.937253489655891, "transfer_usd": 0.0, "wait_hours": 2.020852118850239, "expected_usd": 3.6115341667148564, "expected_interruptions": 2.066118039206632, "expected_completion_hours": 8.95810560850613, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "32.0": [{"instance_type": "p3dn.24xlarge", "region": "us-east-1", "accelerator": "NVIDIA Tesla V100", "accelerator_count": 8.0, "memory_tier_gib": 32.0, "spot_usd_per_hour": 5.75345, "ondemand_usd_per_hour": 31.212, "interruption_frequency": ">20%", "score": -6.445057356832702, "numbers": {"usd_per_hour": 5.75345, "flops_per_second": 272540800000000.03, "compute_hours": 1.019215390054545, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 1.1202074158692092, "transfer_usd": 0.0, "wait_hours": 0.8789845644620531, "expected_usd": 6.445057356832702, "expected_interruptions": 0.3336307016936214, "expected_completion_hours": 1.9991919803312623, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "40.0": [{"instance_type": "p4d.24xlarge", "region": "us-east-1", "accelerator": "NVIDIA A100", "accelerator_count": 8.0, "memory_tier_gib": 40.0, "spot_usd_per_hour": 8.59075, "ondemand_usd_per_hour": 21.957642, "interruption_frequency": ">20%", "score": -4.112984758765387, "numbers": {"usd_per_hour": 8.59075, "flops_per_second": 680261836800000.0, "compute_hours": 0.40833949922057095, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 0.4787689967424716, "transfer_usd": 0.0, "wait_hours": 0.7530722526721481, "expected_usd": 4.112984758765387, "expected_interruptions": 0.1425914826750188, "expected_completion_hours": 1.2318412494146196, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "48.0": [{"instance_type": "g6e.4xlarge", "region": "us-east-1", "accelerator": "NVIDIA L40S", "accelerator_count": 1.0, "memory_tier_gib": 48.0, "spot_usd_per_hour": 0.81305, "ondemand_usd_per_hour": 3.00424, "interruption_frequency": ">20%", "score": -1.9123692276837887, "numbers": {"usd_per_hour": 0.81305, "flops_per_second": 126699999999999.98, "compute_hours": 2.192405507322635, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 2.352093017260671, "transfer_usd": 0.0, "wait_hours": 1.120799771201719, "expected_usd": 1.9123692276837887, "expected_interruptions": 0.7005224502896584, "expected_completion_hours": 3.4728927884623904, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6e.xlarge", "region": "us-east-1", "accelerator": "NVIDIA L40S", "accelerator_count": 1.0, "memory_tier_gib": 48.0, "spot_usd_per_hour": 0.876075, "ondemand_usd_per_hour": 1.861, "interruption_frequency": ">20%", "score": -2.0606098900966425, "numbers": {"usd_per_hour": 0.876075, "flops_per_second": 126699999999999.98, "compute_hours": 2.192405507322635, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 2.352093017260671, "transfer_usd": 0.0, "wait_hours": 1.120799771201719, "expected_usd": 2.0606098900966425, "expected_interruptions": 0.7005224502896584, "expected_completion_hours": 3.4728927884623904, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6e.2xlarge", "region": "us-east-1", "accelerator": "NVIDIA L40S", "accelerator_count": 1.0, "memory_tier_gib": 48.0, "spot_usd_per_hour": 0.97975, "ondemand_usd_per_hour": 2.24208, "interruption_frequency": "10-15%", "score": -2.2475829200295494, "numbers": {"usd_per_hour": 0.97975, "flops_per_second": 126699999999999.98, "compute_hours": 2.192405507322635, "interruptions_per_hour": 0.1115008921176277, "inflation": 1.0235502352476427, "expected_hours": 2.29403717277831, "transfer_usd": 0.0, "wait_hours": 0.39854026520363767, "expected_usd": 2.2475829200295494, "expected_interruptions": 0.25578719131578204, "expected_completion_hours": 2.692577437981948, "risk_hazard_per_hour": 0.1115008921176277, "risk_availability": 0.8287505575905707, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.31736290030642633}, "risk_basis": "advisor bucket: Advisor bucket 10-15% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6e.24xlarge", "region": "us-east-1", "accelerator": "NVIDIA L40S", "accelerator_count": 4.0, "memory_tier_gib": 48.0, "spot_usd_per_hour": 3.489625, "ondemand_usd_per_hour": 15.06559, "interruption_frequency": ">20%", "score": -2.547307734333138, "numbers": {"usd_per_hour": 3.489625, "flops_per_second": 428955519999999.94, "compute_hours": 0.6475677892611752, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 0.7299660377069563, "transfer_usd": 0.0, "wait_hours": 0.8023814290474603, "expected_usd": 2.547307734333138, "expected_interruptions": 0.21740534647658408, "expected_completion_hours": 1.5323474667544166, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "g6e.12xlarge", "region": "us-east-1", "accelerator": "NVIDIA L40S", "accelerator_count": 4.0, "memory_tier_gib": 48.0, "spot_usd_per_hour": 3.819875, "ondemand_usd_per_hour": 10.49264, "interruption_frequency": ">20%", "score": -2.78837901828586, "numbers": {"usd_per_hour": 3.819875, "flops_per_second": 428955519999999.94, "compute_hours": 0.6475677892611752, "interruptions_per_hour": 0.2978293992409837, "inflation": 1.0500306670329371, "expected_hours": 0.7299660377069563, "transfer_usd": 0.0, "wait_hours": 0.8023814290474603, "expected_usd": 2.78837901828586, "expected_interruptions": 0.21740534647658408, "expected_completion_hours": 1.5323474667544166, "risk_hazard_per_hour": 0.2978293992409837, "risk_availability": 0.6443533899423962, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.6590914286434781}, "risk_basis": "advisor bucket: Advisor bucket >20% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "80.0": [{"instance_type": "p5.48xlarge", "region": "us-east-1", "accelerator": "NVIDIA H100", "accelerator_count": 8.0, "memory_tier_gib": 80.0, "spot_usd_per_hour": 28.106467, "ondemand_usd_per_hour": 55.04, "interruption_frequency": "5-10%", "score": -5.088106599544391, "numbers": {"usd_per_hour": 28.106467, "flops_per_second": 2156342809600000.2, "compute_hours": 0.1288189320089162, "interruptions_per_hour": 0.06509915948515235, "inflation": 1.017162187125594, "expected_hours": 0.1810297466253724, "transfer_usd": 0.0, "wait_hours": 0.2018599865337504, "expected_usd": 5.088106599544391, "expected_interruptions": 0.011784884347121839, "expected_completion_hours": 0.3828897331591228, "risk_hazard_per_hour": 0.06509915948515235, "risk_availability": 0.8923447874597296, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.19950879841815916}, "risk_basis": "advisor bucket: Advisor bucket 5-10% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}, {"instance_type": "p4de.24xlarge", "region": "us-east-1", "accelerator": "NVIDIA A100", "accelerator_count": 8.0, "memory_tier_gib": 80.0, "spot_usd_per_hour": 13.3483, "ondemand_usd_per_hour": 27.44705, "interruption_frequency": "5-10%", "score": -6.211598009114693, "numbers": {"usd_per_hour": 13.3483, "flops_per_second": 680261836800000.0, "compute_hours": 0.40833949922057095, "interruptions_per_hour": 0.06509915948515235, "inflation": 1.017162187125594, "expected_hours": 0.46534749811696574, "transfer_usd": 0.0, "wait_hours": 0.2055526642887607, "expected_usd": 6.211598009114693, "expected_interruptions": 0.030293730995932987, "expected_completion_hours": 0.6709001624057265, "risk_hazard_per_hour": 0.06509915948515235, "risk_availability": 0.8923447874597296, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.19950879841815916}, "risk_basis": "advisor bucket: Advisor bucket 5-10% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}], "141.0": [{"instance_type": "p5en.48xlarge", "region": "us-east-1", "accelerator": "NVIDIA H200", "accelerator_count": 8.0, "memory_tier_gib": 141.0, "spot_usd_per_hour": 17.50195, "ondemand_usd_per_hour": 63.296, "interruption_frequency": "10-15%", "score": -3.1827759555002504, "numbers": {"usd_per_hour": 17.50195, "flops_per_second": 2156342809600000.2, "compute_hours": 0.1288189320089162, "interruptions_per_hour": 0.1115008921176277, "inflation": 1.0235502352476427, "expected_hours": 0.18185264816207625, "transfer_usd": 0.0, "wait_hours": 0.3237979829426411, "expected_usd": 3.1827759555002504, "expected_interruptions": 0.02027673250402457, "expected_completion_hours": 0.5056506311047173, "risk_hazard_per_hour": 0.1115008921176277, "risk_availability": 0.8287505575905707, "risk_mean_wait_hours": 1.8532200504785514, "risk_expected_start_wait_hours": 0.31736290030642633}, "risk_basis": "advisor bucket: Advisor bucket 10-15% x 610 (calibrated on 9 traced pools); wait pooled over traced zones"}]}}','a6b14dcc-cf20-45a8-9fdb-389d6b843b4e','root','2026-12-02 14:20:23.249598','2026-12-02 14:20:23.249608','ready',NULL);
CREATE TABLE endpoints (
	name VARCHAR(20) NOT NULL, 
	model_id VARCHAR(36) NOT NULL, 
	training_id VARCHAR(36), 
	target VARCHAR(32) NOT NULL, 
	url VARCHAR(256), 
	api_key_sha256 VARCHAR(64) NOT NULL, 
	pid INTEGER, 
	instance_type VARCHAR(32), 
	region VARCHAR(32), 
	config JSON NOT NULL, 
	metered_until DATETIME, 
	metered_requests INTEGER NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(model_id) REFERENCES models (id), 
	FOREIGN KEY(training_id) REFERENCES trainings (id)
);
INSERT INTO "endpoints" VALUES('mlp','8c8ce332-f2f0-489f-bc0c-7d863202adc7','99b53b14-673d-419b-8993-2d54e70fba0c','serverless','http://127.0.0.1:50289','c6c8ba4c4ac0df323a49c1c97f09de9f525d0826cd84686cdc4caef15efe9cd1',26296,NULL,NULL,'{"memory_mb": 704, "runtime": "local", "bundle_dir": "/tmp/oldstore/endpoints/b3b2ab5e-71f3-4057-961f-d44f6d24de9d/bundle", "weights": "/tmp/oldstore/endpoints/b3b2ab5e-71f3-4057-961f-d44f6d24de9d/trained.safetensors", "metered_busy_seconds": 0.004221329999836598, "down_at": 1796221245.089323}','2026-12-02 14:20:45.089323',1,'b3b2ab5e-71f3-4057-961f-d44f6d24de9d','root','2026-12-02 14:20:02.717159','2026-12-02 14:20:45.101682','failed','endpoint process is gone or not answering {''requests'': 1.0, ''errors'': 0.0, ''timeouts'': 0.0, ''busy_seconds'': 0.004221329999836598}');
INSERT INTO "endpoints" VALUES('mlp-2','8c8ce332-f2f0-489f-bc0c-7d863202adc7','99b53b14-673d-419b-8993-2d54e70fba0c','spot','http://127.0.0.1:50289','c6c8ba4c4ac0df323a49c1c97f09de9f525d0826cd84686cdc4caef15efe9cd1',NULL,'g4dn.xlarge','us-east-1','{"memory_mb": null, "runtime": "local", "bundle_dir": "/tmp/gone/bundle", "weights": null, "supervision": {"restarts": 2, "last_restart_at": 1796221000.5, "gave_up": false}}','2026-12-02 14:20:45.089323',7,'5f0c2a9e-3b1d-4c6e-9a7f-2d8e1b4c6a01','root','2026-12-02 14:20:02.717159','2026-12-02 14:20:45.101682','ready',NULL);
CREATE TABLE logs (
	resource_kind VARCHAR(16) NOT NULL, 
	resource_id VARCHAR(36) NOT NULL, 
	level VARCHAR(8) NOT NULL, 
	message TEXT NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO "logs" VALUES('model','8c8ce332-f2f0-489f-bc0c-7d863202adc7','INFO','stored model mlp v1 (22,434 bytes, sha256 04de6e46de25)','c4fcf047-e847-43fa-81d1-b635a5da0cbf','root','2026-12-02 14:19:25.081297','2026-12-02 14:19:25.081306','ready',NULL);
INSERT INTO "logs" VALUES('dataset','6410ea74-d4ea-4458-801c-d4808fdb9966','INFO','stored dataset mlp v1 (175,222 bytes, sha256 45cd88841035)','97ad69e9-0e9d-4573-bd63-4735e2da5e68','root','2026-12-02 14:19:25.125240','2026-12-02 14:19:25.125245','ready',NULL);
INSERT INTO "logs" VALUES('profile','846d46be-1c87-4e6b-82d6-cfc540e47037','INFO','profiled mlp v1: 4,801 parameters, p95 0.03 ms on cpu','2c5b8061-a17c-493c-94a1-14261bbb02a0','root','2026-12-02 14:19:31.067036','2026-12-02 14:19:31.067041','ready',NULL);
INSERT INTO "logs" VALUES('training','99b53b14-673d-419b-8993-2d54e70fba0c','INFO','attempt 1 started by pid 25601 on vm','9313cacb-5679-4657-b72d-6f2aa1871394','root','2026-12-02 14:19:33.699953','2026-12-02 14:19:33.699956','ready',NULL);
INSERT INTO "logs" VALUES('training','99b53b14-673d-419b-8993-2d54e70fba0c','INFO','trained mlp on mlp: 4 epochs, final {''train_loss'': 0.07489206387350957, ''elapsed_seconds'': 0.9183495969996329, ''epoch'': 4, ''val_loss'': 0.06286001085508161, ''global_step'': 60}','1d0f38fa-2c33-49a3-b81d-70ec7da1539e','root','2026-12-02 14:20:02.073699','2026-12-02 14:20:02.073701','ready',NULL);
INSERT INTO "logs" VALUES('endpoint','b3b2ab5e-71f3-4057-961f-d44f6d24de9d','INFO','endpoint mlp serving mlp at http://127.0.0.1:50289','f8ff0e28-4bb4-4be7-a7b5-0749b2dcbcdd','root','2026-12-02 14:20:04.844696','2026-12-02 14:20:04.844698','ready',NULL);
INSERT INTO "logs" VALUES('election','a6b14dcc-cf20-45a8-9fdb-389d6b843b4e','INFO','sskai election in us-east-1: NodePools rewritten, diff {''sskai-gpu-12g'': {''added'': [''g5g.xlarge'', ''g6f.4xlarge'', ''gr6f.4xlarge''], ''removed'': []}, ''sskai-gpu-141g'': {''added'': [''p5en.48xlarge''], ''removed'': []}, ''sskai-gpu-16g'': {''added'': [''g4dn.2xlarge'', ''g4dn.xlarge'', ''g5g.4xlarge'', ''g5g.xlarge'', ''p3.2xlarge''], ''removed'': []}, ''sskai-gpu-24g'': {''added'': [''g5.2xlarge'', ''g5.xlarge'', ''g6.2xlarge'', ''g6.4xlarge'', ''g6.xlarge''], ''removed'': []}, ''sskai-gpu-32g'': {''added'': [''g6e.4xlarge'', ''g6e.xlarge'', ''p3dn.24xlarge''], ''removed'': []}, ''sskai-gpu-3g'': {''added'': [''g5g.xlarge'', ''g6f.large'', ''g6f.xlarge''], ''removed'': []}, ''sskai-gpu-40g'': {''added'': [''g6e.4xlarge'', ''g6e.xlarge'', ''p4d.24xlarge''], ''removed'': []}, ''sskai-gpu-48g'': {''added'': [''g6e.12xlarge'', ''g6e.24xlarge'', ''g6e.2xlarge'', ''g6e.4xlarge'', ''g6e.xlarge''], ''removed'': []}, ''sskai-gpu-6g'': {''added'': [''g5g.xlarge'', ''g6e.4xlarge'', ''g6f.2xlarge''], ''removed'': []}, ''sskai-gpu-80g'': {''added'': [''p4de.24xlarge'', ''p5.48xlarge'', ''p5en.48xlarge''], ''removed'': []}}','faa85953-1c27-43e3-afc8-ffd47b32d2d7','root','2026-12-02 14:20:23.252712','2026-12-02 14:20:23.252717','ready',NULL);
INSERT INTO "logs" VALUES('endpoint','b3b2ab5e-71f3-4057-961f-d44f6d24de9d','ERROR','endpoint mlp is down','1df1111e-cf50-486a-baa9-475e93674241','root','2026-12-02 14:20:45.096650','2026-12-02 14:20:45.096655','ready',NULL);
CREATE TABLE models (
	name VARCHAR(20) NOT NULL, 
	version INTEGER NOT NULL, 
	content_sha256 VARCHAR(64) NOT NULL, 
	artifact_key VARCHAR(512) NOT NULL, 
	size_bytes INTEGER NOT NULL, 
	manifest JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (owner, name, version)
);
INSERT INTO "models" VALUES('mlp',1,'04de6e46de250158ddffbe8d222035326eef29dec99bf59481fb8cc78d37de07','models/root/mlp/sha256-04de6e46de250158ddffbe8d222035326eef29dec99bf59481fb8cc78d37de07/bundle.zip',22434,'{"input_shape": [8], "input_dtype": "float32", "value_range": [-5.0, 5.0], "task": "regression"}','8c8ce332-f2f0-489f-bc0c-7d863202adc7','root','2026-12-02 14:19:25.073692','2026-12-02 14:19:25.073701','ready',NULL);
CREATE TABLE process_claims (
	record_table VARCHAR(32) NOT NULL, 
	record_id VARCHAR(36) NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	pid INTEGER NOT NULL, 
	process_start_ticks INTEGER, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id)
);
CREATE TABLE profiles (
	model_id VARCHAR(36) NOT NULL, 
	device VARCHAR(32), 
	metrics JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(model_id) REFERENCES models (id)
);
INSERT INTO "profiles" VALUES('8c8ce332-f2f0-489f-bc0c-7d863202adc7','cpu','{"schema_version": 2, "device": "cpu", "parameter_count": 4801, "weight_bytes": 19204, "forward_flops_per_sample": 9344.0, "train_flops_per_sample": 27008.0, "inference_batch_size": 8, "inference_peak_bytes": 23300, "train_batch_size": 8, "train_step_peak_bytes": 108884, "latency_ms_p50": 0.03198250010427728, "latency_ms_p95": 0.03493550036637316, "batch_latency_ms_p50": 0.031972500210031285, "output_shape": [1], "runtime_rss_bytes": 239128576, "model_held_bytes": 2916352, "serving_peak_rss_bytes": 544907264}','846d46be-1c87-4e6b-82d6-cfc540e47037','root','2026-12-02 14:19:26.251093','2026-12-02 14:19:31.065677','succeeded',NULL);
CREATE TABLE promotions (
	endpoint_id VARCHAR(36) NOT NULL, 
	dataset_id VARCHAR(36) NOT NULL, 
	serving_training_id VARCHAR(36), 
	candidate_training_id VARCHAR(36) NOT NULL, 
	metric VARCHAR(32) NOT NULL, 
	serving_value FLOAT, 
	candidate_value FLOAT NOT NULL, 
	min_improvement FLOAT NOT NULL, 
	promoted BOOLEAN NOT NULL, 
	reason TEXT NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(endpoint_id) REFERENCES endpoints (id), 
	FOREIGN KEY(dataset_id) REFERENCES datasets (id), 
	FOREIGN KEY(serving_training_id) REFERENCES trainings (id), 
	FOREIGN KEY(candidate_training_id) REFERENCES trainings (id)
);
CREATE TABLE recommendations (
	model_id VARCHAR(36) NOT NULL, 
	profile_id VARCHAR(36) NOT NULL, 
	"plan" JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(model_id) REFERENCES models (id), 
	FOREIGN KEY(profile_id) REFERENCES profiles (id)
);
INSERT INTO "recommendations" VALUES('8c8ce332-f2f0-489f-bc0c-7d863202adc7','846d46be-1c87-4e6b-82d6-cfc540e47037','{"schema_version": 1, "serving": {"target": "serverless", "usd_per_hour": 0.00020100587603759628, "memory_mb": 704, "instance_type": null, "region": null, "expected_latency_ms": 0.0877853695285712, "alternative": {"target": "spot", "usd_per_hour": 0.07678, "instance_type": "g4dn.xlarge", "region": "af-south-1", "memory_mb": null}, "reasons": ["fits Lambda at 704 MB with expected p95 0.1 ms; at 1,000 requests/h it costs $0.0002/h against $0.0768/h for an always-on spot g4dn.xlarge"]}, "training": {"instance_type": "g6f.large", "region": "ap-south-1", "accelerator": "NVIDIA L4", "accelerator_count": 0.125, "node_count": 1, "required_accelerator_memory_gib": 1.0002387538552284, "spot_usd_per_hour": 0.0366, "ondemand_usd_per_hour": 0.24256, "interruption_frequency": "10-15%", "hazard_per_hour": 0.1115008921176277, "availability": 0.8287505575905707, "risk_basis": "advisor bucket: Advisor bucket 10-15% x 610 (calibrated on 9 traced pools); wait pooled over traced zones", "transfer_usd": 0.0, "estimated_hours": 0.03333350678607834, "estimated_spot_usd": 0.0012200063483704673, "estimated_ondemand_usd": 0.008085374858731106, "candidates_considered": 687, "reasons": ["one training step at batch 32 needs 1.00 GiB of accelerator memory; 687 spot offers have it", "8.1e+08 FLOPs (2.7e+04/sample x 10,000 samples x 3 epochs) at 35% of datasheet FP32 FLOP/s, plus 120 s of node start-up", "g6f.large in ap-south-1: $0.0366/h spot, 0.112 interruptions per hour and 83% availability (advisor bucket: Advisor bucket 10-15% x 610 (calibrated on 9 traced pools); wait pooled over traced zones) -> x1.0216 expected re-work, est. 2.0 min, $0.00122 vs $0.00809 on demand", "SSKAI''s Algorithm 1 would pick p5.4xlarge in ap-southeast-3: est. $0.04431", "cheapest CPU instance for this model: t3.medium in us-east-1, est. $0.00139 (more than the GPU)"]}, "workload": {"requests_per_hour": 1000.0, "latency_slo_ms": 1000.0, "training_samples": 10000, "epochs": 3, "batch_size": 32, "checkpoint_interval_seconds": 600.0, "regions": null, "serving_regions": null, "data_region": null, "dataset_gb": 0.0}}','68d0197d-d27e-4924-b448-8bdcd4edcd36','root','2026-12-02 14:19:32.852536','2026-12-02 14:19:32.852545','ready',NULL);
CREATE TABLE training_attempts (
	training_id VARCHAR(36) NOT NULL, 
	number INTEGER NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	pid INTEGER NOT NULL, 
	process_start_ticks INTEGER, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	resumed_from_step INTEGER, 
	global_step INTEGER, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(training_id) REFERENCES trainings (id)
);
INSERT INTO "training_attempts" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'vm',25601,233017,'2026-12-02 14:19:33.698513','2026-12-02 14:20:02.070324',0,60,'94b6c804-6832-41fb-88ed-b6ef032ff7c3','root','2026-12-02 14:19:33.698540','2026-12-02 14:20:02.072516','succeeded',NULL);
CREATE TABLE training_events (
	training_id VARCHAR(36) NOT NULL, 
	attempt INTEGER, 
	at DATETIME NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	slot VARCHAR(32), 
	detail JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(training_id) REFERENCES trainings (id)
);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:33.702531','attempt_started',NULL,'{}','af64a721-6e1d-40bf-bf21-6464ce8b7dd8','root','2026-12-02 14:19:33.703518','2026-12-02 14:19:33.703521','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:37.864576','node_up','head','{"node_id": "903d0ce7bae9472a20e0b802edc7f6fcba52b086561a36c80b3fbd3f", "instance_type": "t3.large", "zone": "ap-south-1", "usd_per_hour": 0.0832, "spot": false}','8e46fd33-3443-4db8-a8c1-d83144e25f0d','root','2026-12-02 14:19:37.865415','2026-12-02 14:19:37.865417','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:40.090343','node_up','worker-0','{"node_id": "0da3c4687bee5f8e64d703ec7531272732e8a05cef1b0ae979a1ec2f", "instance_type": "g6f.large", "zone": "ap-south-1", "usd_per_hour": 0.0366, "spot": true}','a7db7f87-37d8-4547-a03b-b768f2818c5b','root','2026-12-02 14:19:40.091145','2026-12-02 14:19:40.091147','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:42.514156','node_up','worker-1','{"node_id": "20f94da51aace291f8703c83759d0de6f8f7cda8cd22960fcfbc078f", "instance_type": "g6f.large", "zone": "ap-south-1", "usd_per_hour": 0.0366, "spot": true}','dad386cf-6351-4231-b55f-c99b3259ae0f','root','2026-12-02 14:19:42.515138','2026-12-02 14:19:42.515141','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:59.858397','resumed',NULL,'{"first_step_at": 1796221199.546593, "from_step": 0}','b35b1d56-d39f-4205-86ae-833256d59e57','root','2026-12-02 14:19:59.860076','2026-12-02 14:19:59.860078','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:19:59.866525','checkpoint',NULL,'{"step": 15, "trigger": "epoch", "snapshot_at": 1796221199.6308215, "path": "/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-19-59.638483"}','f0e01b08-db7f-4abf-9718-faa5e566c8f1','root','2026-12-02 14:19:59.867286','2026-12-02 14:19:59.867288','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:00.133847','checkpoint',NULL,'{"step": 30, "trigger": "epoch", "snapshot_at": 1796221199.7526057, "path": "/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-19-59.755611"}','78d71ed3-f4aa-4dca-a631-18b5dd2b7a2d','root','2026-12-02 14:20:00.134285','2026-12-02 14:20:00.134286','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:00.403130','checkpoint',NULL,'{"step": 45, "trigger": "epoch", "snapshot_at": 1796221199.920825, "path": "/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-19-59.923862"}','a42d648e-f483-4a32-9791-e3073d5984b7','root','2026-12-02 14:20:00.403783','2026-12-02 14:20:00.403787','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:00.668469','checkpoint',NULL,'{"step": 50, "trigger": "interval", "snapshot_at": 1796221200.1660867, "path": "/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-20-00.173835"}','78870613-e4ea-487d-80db-13e06c708ed8','root','2026-12-02 14:20:00.669062','2026-12-02 14:20:00.669065','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:00.929909','checkpoint',NULL,'{"step": 60, "trigger": "epoch", "snapshot_at": 1796221200.4474077, "path": "/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-20-00.453556"}','64a69d11-91a9-4960-932d-4924ba70f107','root','2026-12-02 14:20:00.930344','2026-12-02 14:20:00.930345','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:01.857574','node_down','head','{"node_id": "903d0ce7bae9472a20e0b802edc7f6fcba52b086561a36c80b3fbd3f", "reason": "stopped"}','7f463f93-9b75-460f-9e1a-7f6eca443113','root','2026-12-02 14:20:01.858362','2026-12-02 14:20:01.858364','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:01.857574','node_down','worker-0','{"node_id": "0da3c4687bee5f8e64d703ec7531272732e8a05cef1b0ae979a1ec2f", "reason": "stopped"}','668934e6-dc7e-4114-bb1f-3ab9153c4a5f','root','2026-12-02 14:20:01.860916','2026-12-02 14:20:01.860920','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:01.857574','node_down','worker-1','{"node_id": "20f94da51aace291f8703c83759d0de6f8f7cda8cd22960fcfbc078f", "reason": "stopped"}','57b8d5f8-6249-42df-9fde-8c119eaf3249','root','2026-12-02 14:20:01.870010','2026-12-02 14:20:01.870015','pending',NULL);
INSERT INTO "training_events" VALUES('99b53b14-673d-419b-8993-2d54e70fba0c',1,'2026-12-02 14:20:02.069078','attempt_ended',NULL,'{"status": "succeeded", "global_step": 60}','8ebd2beb-6ada-47aa-b36b-c912e82403c7','root','2026-12-02 14:20:02.069557','2026-12-02 14:20:02.069559','pending',NULL);
CREATE TABLE trainings (
	model_id VARCHAR(36) NOT NULL, 
	dataset_id VARCHAR(36) NOT NULL, 
	config JSON NOT NULL, 
	instance_type VARCHAR(32), 
	region VARCHAR(32), 
	progress FLOAT NOT NULL, 
	metrics JSON NOT NULL, 
	history JSON NOT NULL, 
	checkpoint_key VARCHAR(512), 
	weights_key VARCHAR(512), 
	started_at DATETIME, 
	finished_at DATETIME, 
	id VARCHAR(36) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	status_reason TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(model_id) REFERENCES models (id), 
	FOREIGN KEY(dataset_id) REFERENCES datasets (id)
);
INSERT INTO "trainings" VALUES('8c8ce332-f2f0-489f-bc0c-7d863202adc7','6410ea74-d4ea-4458-801c-d4808fdb9966','{"epochs": 4, "batch_size": 64, "learning_rate": 0.003, "optimizer": "adam", "loss": "mse", "validation_fraction": 0.1, "seed": 0, "checkpoint_every_steps": 50, "checkpoint_on_notice": true, "num_workers": 2, "min_workers": null, "use_gpu": false, "max_failures": 2}','g6f.large','ap-south-1',1.0,'{"train_loss": 0.07489206387350957, "elapsed_seconds": 0.9183495969996329, "epoch": 4, "val_loss": 0.06286001085508161, "global_step": 60}','[{"epoch": 1, "train_loss": 0.4990159230927626, "val_loss": 0.32206343397861575}, {"epoch": 2, "train_loss": 0.222600935647885, "val_loss": 0.19405880882972623}, {"epoch": 3, "train_loss": 0.11571095486481985, "val_loss": 0.09212485613619409}, {"epoch": 4, "train_loss": 0.07489206387350957, "val_loss": 0.06286001085508161}]','/tmp/oldstore/artifacts/checkpoints/training-99b53b14-673d-419b-8993-2d54e70fba0c/checkpoint_2026-12-02_14-20-00.453556','trainings/99b53b14-673d-419b-8993-2d54e70fba0c/model.safetensors','2026-12-02 14:19:33.700635','2026-12-02 14:20:02.074666','99b53b14-673d-419b-8993-2d54e70fba0c','root','2026-12-02 14:19:33.598948','2026-12-02 14:20:02.075725','succeeded',NULL);
CREATE INDEX ix_datasets_owner ON datasets (owner);
CREATE INDEX ix_models_owner ON models (owner);
CREATE INDEX ix_current_versions_owner ON current_versions (owner);
CREATE INDEX ix_budgets_owner ON budgets (owner);
CREATE INDEX ix_budget_alerts_owner ON budget_alerts (owner);
CREATE INDEX ix_cost_records_owner ON cost_records (owner);
CREATE INDEX ix_cost_records_resource_id ON cost_records (resource_id);
CREATE INDEX ix_catalog_versions_owner ON catalog_versions (owner);
CREATE INDEX ix_process_claims_owner ON process_claims (owner);
CREATE INDEX ix_process_claims_record_id ON process_claims (record_id);
CREATE INDEX ix_logs_resource_id ON logs (resource_id);
CREATE INDEX ix_logs_owner ON logs (owner);
CREATE INDEX ix_profiles_model_id ON profiles (model_id);
CREATE INDEX ix_profiles_owner ON profiles (owner);
CREATE INDEX ix_trainings_owner ON trainings (owner);
CREATE INDEX ix_trainings_model_id ON trainings (model_id);
CREATE INDEX ix_trainings_dataset_id ON trainings (dataset_id);
CREATE INDEX ix_elections_catalog_version_id ON elections (catalog_version_id);
CREATE INDEX ix_elections_owner ON elections (owner);
CREATE INDEX ix_recommendations_model_id ON recommendations (model_id);
CREATE INDEX ix_recommendations_owner ON recommendations (owner);
CREATE INDEX ix_training_attempts_training_id ON training_attempts (training_id);
CREATE INDEX ix_training_attempts_owner ON training_attempts (owner);
CREATE INDEX ix_training_events_owner ON training_events (owner);
CREATE INDEX ix_training_events_training_id ON training_events (training_id);
CREATE INDEX ix_endpoints_model_id ON endpoints (model_id);
CREATE INDEX ix_endpoints_owner ON endpoints (owner);
CREATE INDEX ix_promotions_endpoint_id ON promotions (endpoint_id);
CREATE INDEX ix_promotions_owner ON promotions (owner);
COMMIT;
