"""Build the labelled gold set (listing.txt, mentions.csv, papers.csv) from the spec below.

The truth lives here, next to the text it labels, so line numbers and labels
cannot drift apart: every record is written with the identity of each author
*as designed* (who the person really is), never with what the resolver
outputs.  Seed records are copied byte-for-byte from ``samples/`` (and the
copy is checked against the authors we label); synthetic records are written
out in full.

Run from the repository root after editing the spec:

    .venv/bin/python tests/data/gold/build_gold.py

It uses nothing from ``transforms/``: the labels must not depend on the code
they measure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[2] / "samples"

Author = tuple[str, str]  # (name as listed, true person/group label)


@dataclass(frozen=True)
class Record:
    block: str
    header: str  # the date line exactly as written (may carry trailing whitespace)
    title: str
    authors: tuple[Author, ...]
    paper: str  # true paper label
    abstract: str
    et_al: bool = False
    orgs: str = ""
    title_line: str | None = None  # when set, written verbatim instead of title+authors+...

    def lines(self) -> list[str]:
        if self.title_line is not None:
            line = self.title_line
        else:
            line = self.title + ", ".join(n for n, _ in self.authors)
            line += " et al." if self.et_al else ""
            line += f" · {self.orgs}" if self.orgs else ""
        return [self.header, line, self.abstract]


def seed_lines(file_prefix: str, header_line: int) -> tuple[str, str, str]:
    """The three lines of a seed record, by file prefix and 1-based header line."""
    (path,) = SAMPLES.glob(f"{file_prefix}_*.txt")
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[header_line - 1], lines[header_line], lines[header_line + 1]


def seed(block: str, file_prefix: str, header_line: int, authors: list[Author], paper: str) -> Record:
    """A seed record copied verbatim; the labelled names must be exactly its author list."""
    header, title_line, abstract = seed_lines(file_prefix, header_line)
    listed = ", ".join(n for n, _ in authors)
    assert listed in title_line, (file_prefix, header_line, listed, title_line)
    return Record(block, header, "", tuple(authors), paper, abstract, title_line=title_line)


def rec(block: str, header: str, title: str, authors: list[Author], paper: str, abstract: str,
        et_al: bool = False, orgs: str = "") -> Record:
    return Record(block, header, title, tuple(authors), paper, abstract, et_al, orgs)


# ---------------------------------------------------------------------------------------
# People.  Short aliases keep the spec readable: (written form, true label).
# ---------------------------------------------------------------------------------------
def P(name: str, label: str) -> Author:
    return (name, label)


# seed people (real)
WEBER_ACC, WEBER = P("Théophane Weber", "p_weber_theophane"), P("Theophane Weber", "p_weber_theophane")
REZENDE_J, REZENDE_FULL = P("Danilo J. Rezende", "p_rezende_danilo"), P("Danilo Jimenez Rezende", "p_rezende_danilo")
CZARNECKI_M, CZARNECKI_FULL = (P("Wojciech M. Czarnecki", "p_czarnecki_wojciech"),
                               P("Wojciech Marian Czarnecki", "p_czarnecki_wojciech"))
JASTRZEBSKI_ACC, JASTRZEBSKI = (P("Stanisław Jastrzębski", "p_jastrzebski_stanislaw"),
                                P("Stanislaw Jastrzebski", "p_jastrzebski_stanislaw"))
R_MEIER, F_MEIER, MUJIKA = P("Robert Meier", "p_meier_robert"), P("Florian Meier", "p_meier_florian"), P("Asier Mujika", "p_mujika_asier")
GEMINI, GEMMA, IMAGEN = P("Gemini Team", "g_gemini_team"), P("Gemma Team", "g_gemma_team"), P("Imagen-Team-Google", "g_imagen_team_google")
VIOLA, JADERBERG, MESNARD = P("Fabio Viola", "p_viola_fabio"), P("Max Jaderberg", "p_jaderberg_max"), P("Thomas Mesnard", "p_mesnard_thomas")
ESLAMI = P("S. M. Ali Eslami", "p_eslami_ali")

# synthetic people
MOREAU, MOREAU_SP, MOREAU_INIT = (P("Jean-Bastien Moreau", "p_moreau_jeanbastien"),
                                  P("Jean Bastien Moreau", "p_moreau_jeanbastien"),
                                  P("J.-B. Moreau", "p_moreau_jeanbastien"))
DUBOIS, LAURENT, GIRARD = P("Camille Dubois", "p_dubois_camille"), P("Hugo Laurent", "p_laurent_hugo"), P("Antoine Girard", "p_girard_antoine")
LEFEVRE_ACC, LEFEVRE = P("Zoë Lefèvre", "p_lefevre_zoe"), P("Zoe Lefevre", "p_lefevre_zoe")

OLSEN_K, OLSEN_FULL, OLSEN = (P("Maria K. Olsen", "p_olsen_maria"), P("Maria Kristin Olsen", "p_olsen_maria"),
                              P("Maria Olsen", "p_olsen_maria"))
OLSEN_INITIALS = P("M. K. Olsen", "p_olsen_maria")  # weak evidence: shares only the topic (CL)
KJAER_ACC, KJAER = P("Søren Kjær", "p_kjaer_soren"), P("Soren Kjaer", "p_kjaer_soren")
NYGAARD, HAUGEN = P("Lars Nygaard", "p_nygaard_lars"), P("Ingrid Haugen", "p_haugen_ingrid")
VDBERG, VDBERG_CAPS = P("Hannah van der Berg", "p_vanderberg_hannah"), P("Hannah Van Der Berg", "p_vanderberg_hannah")
DEVRIES = P("Pieter de Vries", "p_devries_pieter")

WROBEL_ACC, WROBEL = P("Łukasz Wróbel", "p_wrobel_lukasz"), P("Lukasz Wrobel", "p_wrobel_lukasz")
WROBEL_INIT = P("Ł. Wróbel", "p_wrobel_lukasz")  # weak evidence: shares only the organisation (ethz)
MULLER_ACC, MULLER = P("Jonas Müller", "p_muller_jonas"), P("Jonas Muller", "p_muller_jonas")
KELLER, PATEL = P("Nina Keller", "p_keller_nina"), P("Maya Patel", "p_patel_maya")
DANIEL_SMITH = P("Daniel Smith", "p_smith_daniel")

DAVID_SMITH = P("David Smith", "p_smith_david")
D_SMITH = P("D. Smith", "p_smith_david")  # initial-only; by design David (shares his coauthor and topic)
NATARAJAN = P("Priya Natarajan", "p_natarajan_priya")
OCONNOR, OCONNOR_CURLY = P("Aoife O'Connor", "p_oconnor_aoife"), P("Aoife O’Connor", "p_oconnor_aoife")
GARCIA_ACC, GARCIA, GARCIA_L = (P("José Luis García", "p_garcia_joseluis"), P("Jose Luis Garcia", "p_garcia_joseluis"),
                                P("José L. García", "p_garcia_joseluis"))
PUIG = P("Marta Puig", "p_puig_marta")

PARK_A, PARK_B = P("John A. Park", "p_park_john_a"), P("John B. Park", "p_park_john_b")
PARK_BARE = P("John Park", "p_park_john_a")  # middle name absent; by design John A. (shares his coauthor)
PARK_LAB = P("Park Lab", "g_park_lab")  # group named after John A. Park's lab
KIM, LEE, CHOI, HAN = P("Minji Kim", "p_kim_minji"), P("Seojun Lee", "p_lee_seojun"), P("Hyunwoo Choi", "p_choi_hyunwoo"), P("Jiwoo Han", "p_han_jiwoo")

WEI_CHEN, WEN_CHEN = P("Wei Chen", "p_chen_wei"), P("Wen Chen", "p_chen_wen")
ZHANG, LIU, WANG, ZHOU = P("Lei Zhang", "p_zhang_lei"), P("Yang Liu", "p_liu_yang"), P("Xin Wang", "p_wang_xin"), P("Hao Zhou", "p_zhou_hao")
TANAKA, TANAKA_CAPS = P("Yuki Tanaka", "p_tanaka_yuki"), P("Yuki TANAKA", "p_tanaka_yuki")

DANIEL_REZENDE = P("Daniel Rezende", "p_rezende_daniel")  # NOT Danilo: same surname, same initial
SANTOS, LIMA = P("Paulo Santos", "p_santos_paulo"), P("Beatriz Lima", "p_lima_beatriz")
DASILVA, DASILVA_P, DASILVA_CAPS = (P("Ana Paula da Silva", "p_dasilva_anapaula"), P("Ana P. da Silva", "p_dasilva_anapaula"),
                                    P("Ana Paula Da Silva", "p_dasilva_anapaula"))
ROSSI, ROSSI_INIT = P("Marco Rossi", "p_rossi_marco"), P("M. Rossi", "p_rossi_marco")
BIANCHI, FERRARI = P("Giulia Bianchi", "p_bianchi_giulia"), P("Luca Ferrari", "p_ferrari_luca")


def seed_abstract(file_prefix: str, header_line: int) -> str:
    return seed_lines(file_prefix, header_line)[2]


# ---------------------------------------------------------------------------------------
# The records, in file order.
# ---------------------------------------------------------------------------------------
S = "A-seeds"
RECORDS: list[Record] = [
    # --- A. Seed records (verbatim from samples/): real variants, real homonyms, groups ---
    seed(S, "003", 19, [MESNARD, WEBER_ACC, VIOLA], "k_counterfactual_credit"),
    seed(S, "003", 31, [P("Arthur Guez", "p_guez_arthur"), VIOLA, WEBER_ACC], "k_value_driven_hindsight"),
    seed(S, "003", 55, [P("Lars Buesing", "p_buesing_lars"), WEBER, P("Sebastien Racaniere", "p_racaniere_sebastien")], "k_learning_querying_fast_gen"),
    seed(S, "001", 124, [ESLAMI, P("Nicolas Heess", "p_heess_nicolas"), WEBER], "k_attend_infer_repeat"),
    seed(S, "003", 28, [P("Karen Ullrich", "p_ullrich_karen"), VIOLA, REZENDE_FULL], "k_neural_communication"),
    seed(S, "003", 34, [REZENDE_J, P("Ivo Danihelka", "p_danihelka_ivo"), P("George Papamakarios", "p_papamakarios_george")], "k_causally_correct"),
    seed(S, "003", 37, [REZENDE_FULL, VIOLA], "k_taming_vaes"),
    seed(S, "003", 40, [P("Ananya Kumar", "p_kumar_ananya"), ESLAMI, REZENDE_J], "k_consistent_gqn"),
    seed(S, "003", 52, [P("Marco Fraccaro", "p_fraccaro_marco"), REZENDE_FULL, P("Yori Zwols", "p_zwols_yori")], "k_generative_temporal"),
    seed(S, "001", 52, [JADERBERG, CZARNECKI_M, P("Iain Dunning", "p_dunning_iain")], "k_human_level_fps"),
    seed(S, "001", 82, [CZARNECKI_FULL, P("Grzegorz Świrszcz", "p_swirszcz_grzegorz"), JADERBERG], "k_understanding_synthetic_gradients"),
    seed(S, "001", 88, [JADERBERG, P("Volodymyr Mnih", "p_mnih_volodymyr"), CZARNECKI_FULL], "k_unreal"),
    seed(S, "001", 109, [JADERBERG, CZARNECKI_FULL, P("Simon Osindero", "p_osindero_simon")], "k_decoupled_neural_interfaces"),
    seed(S, "004", 43, [P("Neil Houlsby", "p_houlsby_neil"), P("Andrei Giurgiu", "p_giurgiu_andrei"), JASTRZEBSKI], "k_parameter_efficient_transfer"),
    seed(S, "004", 46, [JASTRZEBSKI_ACC, P("Quentin de Laroussilhe", "p_delaroussilhe_quentin"), P("Mingxing Tan", "p_tan_mingxing")], "k_nas_graph_search_space"),
    seed(S, "000", 7, [R_MEIER, MUJIKA], "k_open_ended_rl"),
    seed(S, "000", 13, [P("Nicolas Zucchet", "p_zucchet_nicolas"), R_MEIER, P("Simon Schug", "p_schug_simon")], "k_online_long_range"),
    seed(S, "000", 16, [F_MEIER, MUJIKA, P("Marcelo Matheus Gauy", "p_gauy_marcelo")], "k_gradient_estimation_es"),
    seed(S, "000", 28, [MUJIKA, F_MEIER, P("Angelika Steger", "p_steger_angelika")], "k_kronecker_rtrl"),
    seed(S, "000", 31, [MUJIKA, F_MEIER, P("Angelika Steger", "p_steger_angelika")], "k_fast_slow_rnn"),
    seed(S, "000", 10, [GEMINI, P("Rohan Anil", "p_anil_rohan"), P("Sebastian Borgeaud", "p_borgeaud_sebastian")], "k_gemini"),
    seed(S, "001", 7, [GEMINI, P("Petko Georgiev", "p_georgiev_petko"), P("Ving Ian Lei", "p_lei_vingian")], "k_gemini_1_5"),
    seed(S, "001", 1, [GEMMA, P("Morgane Riviere", "p_riviere_morgane"), P("Shreya Pathak", "p_pathak_shreya")], "k_gemma_2"),
    seed(S, "001", 13, [GEMMA, MESNARD, P("Cassidy Hardin", "p_hardin_cassidy")], "k_gemma"),
    seed(S, "001", 16, [GEMMA, P("Aishwarya Kamath", "p_kamath_aishwarya"), P("Johan Ferret", "p_ferret_johan")], "k_gemma_3"),
    seed(S, "001", 19, [IMAGEN, P("Jason Baldridge", "p_baldridge_jason"), P("Jakob Bauer", "p_bauer_jakob")], "k_imagen_3"),
]

B = "B-variants"
RECORDS += [
    # --- B1. INRIA vision group: hyphen/space/initials in a given name, diacritics ---
    rec(B, "CVMay 12, 2019", "Self-Supervised Depth Completion from Sparse Lidar", [MOREAU, DUBOIS, LAURENT],
        "k_depth_completion", "We learn dense depth from sparse lidar returns and monocular video without any dense ground truth.",
        orgs="inria"),
    rec(B, "CVOct 3, 2020Code", "Learning Optical Flow without Ground Truth Correspondences", [DUBOIS, MOREAU, LEFEVRE_ACC],
        "k_optical_flow_no_gt", "A photometric and smoothness objective trains optical flow networks that rival supervised ones on KITTI.",
        orgs="inria"),
    rec(B, "LGJun 21, 2021", "Equivariant Scene Representations for Multi-View Reconstruction", [MOREAU_SP, GIRARD, LAURENT],
        "k_equivariant_scene", "We build rotation-equivariant latent scene codes and show that they improve reconstruction from few views.",
        orgs="inria"),
    rec(B, "CVFeb 14, 2022", "Sparse Voxel Transformers for Outdoor Mapping", [LEFEVRE, MOREAU_INIT, DUBOIS],
        "k_sparse_voxel_transformers", "Attention over sparse voxels scales 3D mapping to city blocks while keeping memory linear in occupied space.",
        et_al=True),
    rec(B, "CVSep 9, 2023", "Uncertainty-Aware Monocular Depth Estimation", [LEFEVRE_ACC, GIRARD],
        "k_uncertainty_depth", "We calibrate per-pixel depth uncertainty with a variance head and show better downstream obstacle avoidance.",
        orgs="inria"),
    rec(B, "CVApr 2, 2024", "Event Cameras for High-Speed Depth Sensing", [LEFEVRE, LAURENT, MOREAU],
        "k_event_camera_depth", "Event streams and a learned temporal filter recover depth for objects moving faster than frame cameras can follow.",
        orgs="inria, ens-paris"),
    # --- B2. Nordic/Dutch NLP: middle initial / full middle / absent, ø/æ, particle case ---
    rec(B, "CLJan 17, 2019", "Morphological Segmentation for Low-Resource Nordic Languages", [OLSEN_K, KJAER_ACC, NYGAARD],
        "k_morph_segmentation", "Unsupervised morphological segmentation with a small seed lexicon improves parsing for Faroese and Northern Sami.",
        orgs="uio"),
    rec(B, "CLAug 5, 2020", "Cross-Lingual Transfer for Sami Named Entity Recognition", [KJAER_ACC, OLSEN_FULL, HAUGEN],
        "k_sami_ner", "Transfer from Finnish and Norwegian annotations yields the first usable named entity tagger for Northern Sami.",
        orgs="uio, ntnu"),
    rec(B, "CLMar 22, 2021", "Tokenization Choices Matter for Compounding Languages", [KJAER, NYGAARD],
        "k_tokenization_compounding", "Subword vocabularies that respect compound boundaries reduce perplexity for Norwegian and Danish language models.",
        orgs="ntnu"),
    rec(B, "CLNov 30, 2021", "Dialect-Robust Speech Transcription for Norwegian", [OLSEN, HAUGEN],
        "k_dialect_asr", "Data augmentation across dialect regions halves the word error rate gap between Bokmal and regional speech.",
        orgs="uio"),
    rec(B, "CLJun 8, 2022", "Evaluating Multilingual Language Models on Dutch and Norwegian", [VDBERG, OLSEN_K, KJAER_ACC],
        "k_eval_dutch_norwegian", "A shared benchmark shows that multilingual models lag monolingual ones on morphology-heavy tasks in both languages.",
        orgs="uva, uio"),
    rec(B, "CLFeb 27, 2023", "Gender Bias in Dutch Coreference Resolution", [VDBERG_CAPS, DEVRIES],
        "k_dutch_coref_bias", "We release a Winograd-style Dutch test set and measure occupational gender bias in neural coreference systems.",
        orgs="uva"),
    rec(B, "CLOct 19, 2023", "Annotator Disagreement in Dutch Sentiment Corpora", [DEVRIES, VDBERG],
        "k_dutch_sentiment_disagreement", "Modelling annotators individually recovers systematic disagreement that majority voting in sentiment corpora hides.",
        orgs="uva"),
    rec(B, "CLMay 2, 2024", "Retrieval-Augmented Generation for Nordic Public Records", [OLSEN_FULL, NYGAARD, KJAER],
        "k_rag_nordic_records", "Retrieval over municipal archives makes generated answers about Norwegian public records verifiable and current.",
        orgs="uio"),
    rec(B, "CLJul 14, 2022", "Speech Translation for Under-Resourced Sami Varieties",
        [P("Emily Carter", "p_carter_emily"), OLSEN_INITIALS, P("Rahul Mehta", "p_mehta_rahul")],
        "k_sami_speech_translation", "During an internship we cascade dialect-aware recognition and translation for three Sami varieties."),
    # --- B3. ETH robotics: ł/ó and ü dropped ---
    rec(B, "ROMar 11, 2019", "Learning Legged Locomotion on Deformable Terrain", [WROBEL_ACC, KELLER, MULLER_ACC],
        "k_legged_deformable", "A terrain-aware policy trained in simulation walks on sand, snow and mud without terrain labels.",
        orgs="ethz"),
    rec(B, "ROJul 13, 2021", "Sim-to-Real Transfer for Quadruped Jumping", [WROBEL, KELLER],
        "k_quadruped_jumping", "Domain randomisation of actuator dynamics lets a quadruped execute learned jumps on hardware at the first attempt.",
        orgs="ethz"),
    rec(B, "ROJan 20, 2022", "Whole-Body Control for Mobile Manipulators", [KELLER, MULLER_ACC, WROBEL],
        "k_whole_body_control", "A single learned controller coordinates base and arm motion for door opening and shelf picking.",
        et_al=True, orgs="ethz"),
    rec(B, "ROMay 3, 2023", "Learning Stair Climbing from Human Demonstrations", [P("Sofia Brunner", "p_brunner_sofia"), WROBEL_INIT],
        "k_stair_climbing_demos", "Motion capture of people climbing stairs is retargeted into a reward that teaches a quadruped to climb.",
        orgs="ethz"),
    # --- B4. Latin and Brazilian groups: initial-only first name with one candidate, particle case ---
    rec(B, "LGJun 30, 2020", "Continual Learning with Sparse Replay Buffers", [ROSSI, BIANCHI],
        "k_sparse_replay", "Storing sparse activations instead of inputs lets a replay buffer hold ten times more past examples.",
        orgs="polimi"),
    rec(B, "LGFeb 9, 2021", "Regularization Strategies for Class-Incremental Learning", [BIANCHI, ROSSI_INIT, FERRARI],
        "k_class_incremental_reg", "We compare weight and function regularisers for class-incremental learning under an equal memory budget.",
        orgs="polimi"),
    rec(B, "LGSep 27, 2023", "Memory-Efficient Continual Learning on Microcontrollers", [FERRARI, ROSSI, BIANCHI],
        "k_continual_mcu", "Quantised replay and latent rehearsal bring continual learning to devices with under one megabyte of memory.",
        orgs="polimi"),
]

C = "C-negatives"
RECORDS += [
    # --- C1. David Smith (CMU, NLP) vs Daniel Smith (CMU, robotics) vs the initial-only D. Smith ---
    rec(C, "CLApr 9, 2019", "Discourse-Aware Neural Summarization of Scientific Articles", [DAVID_SMITH, NATARAJAN, OCONNOR],
        "k_discourse_summarization", "Section-level discourse structure guides an abstractive summariser for long scientific papers.",
        orgs="cmu"),
    rec(C, "CLOct 28, 2020", "Faithfulness Metrics for Abstractive Summarization", [NATARAJAN, DAVID_SMITH],
        "k_faithfulness_metrics", "Question-answering based metrics correlate better with human faithfulness judgements than n-gram overlap.",
        orgs="cmu"),
    rec(C, "CLMay 6, 2021", "Controllable Summarization with Length Constraints", [OCONNOR_CURLY, GARCIA_ACC, DAVID_SMITH],
        "k_controllable_summarization", "A length-aware decoding objective produces summaries that meet a word budget without losing content coverage.",
        orgs="cmu"),
    rec(C, "CLFeb 2, 2022", "Long-Document Question Answering over Meeting Transcripts", [D_SMITH, NATARAJAN],
        "k_meeting_qa", "Speaker-aware retrieval over long meeting transcripts answers questions that span several discussion turns.",
        orgs="cmu"),
    rec(C, "ROSep 24, 2020Code", "Contact-Rich Manipulation with Tactile Feedback", [MULLER, WROBEL_ACC, DANIEL_SMITH],
        "k_contact_rich_manipulation", "Tactile signals fused into a learned impedance controller make peg insertion robust to pose errors.",
        orgs="ethz, cmu"),
    rec(C, "RODec 1, 2022", "Risk-Aware Motion Planning in Crowds", [DANIEL_SMITH, PATEL],
        "k_risk_aware_planning", "A conditional value-at-risk planner keeps a mobile robot safe among pedestrians whose motion is uncertain.",
        orgs="cmu"),
    rec(C, "ROAug 18, 2023", "Active Perception for Cluttered Grasping", [PATEL, DANIEL_SMITH, MULLER],
        "k_active_perception_grasping", "Choosing the next camera view by expected grasp success clears cluttered bins with fewer failed grasps.",
        orgs="cmu"),
    # --- C2. José Luis García's variants live beside the Smiths (positives, CMU/UPF) ---
    rec(C, "CLSep 15, 2022", "Multilingual Summarization Benchmarks for Spanish and Catalan", [GARCIA_ACC, OCONNOR],
        "k_spanish_catalan_summ", "We collect news summaries in Spanish and Catalan and show that cross-lingual pretraining helps the smaller language.",
        orgs="upf, cmu"),
    rec(C, "CLJun 1, 2023", "Factual Consistency in Cross-Lingual Summaries", [GARCIA, NATARAJAN],
        "k_crosslingual_consistency", "Entailment models trained on translated data detect unfaithful content in cross-lingual summaries.",
        orgs="upf"),
    rec(C, "CLJan 12, 2024", "Citation Recommendation with Graph Neural Networks", [GARCIA_L, OCONNOR_CURLY, PUIG],
        "k_citation_recommendation", "Message passing over the citation graph recommends references that text similarity alone misses.",
        orgs="upf"),
    # --- C3. John A. Park vs John B. Park (conflicting middles, same lab), bare John Park, group Park Lab ---
    rec(C, "LGMar 5, 2019", "Meta-Learning for Few-Shot Graph Classification", [PARK_A, KIM, PARK_LAB],
        "k_meta_fewshot_graph", "A graph-level meta-learner adapts to new molecule classes from five labelled examples.",
        orgs="kaist"),
    rec(C, "LGNov 14, 2019", "Neural Architecture Search for Edge Devices", [PARK_B, CHOI],
        "k_nas_edge", "Latency measured on device, not estimated, steers architecture search towards models that run in real time on phones.",
        orgs="kaist"),
    rec(C, "LGJul 7, 2020", "Graph Contrastive Learning with Adaptive Augmentation", [KIM, PARK_A, LEE],
        "k_graph_contrastive_adaptive", "Augmentations that drop unimportant edges and features give stronger graph representations than uniform ones.",
        orgs="kaist"),
    rec(C, "CVMar 30, 2021", "Hardware-Aware Quantization for Vision Transformers", [CHOI, PARK_B, HAN],
        "k_hw_quant_vit", "Mixed-precision quantisation chosen per layer from measured latency keeps vision transformers accurate at four bits.",
        orgs="kaist"),
    rec(C, "LGOct 2, 2021", "Federated Graph Learning under Label Scarcity", [PARK_BARE, KIM],
        "k_federated_graph", "Clients with few labels share pseudo-labels over a federated graph model without exchanging their subgraphs.",
        orgs="kaist"),
    rec(C, "LGMay 19, 2022", "Spectral Graph Transformers", [PARK_LAB, PARK_A, LEE],
        "k_spectral_graph_transformers", "Laplacian eigenvector encodings let a plain transformer match message passing networks on molecular benchmarks.",
        orgs="kaist"),
    rec(C, "CVDec 12, 2022", "Token Pruning for Efficient Video Recognition", [PARK_B, HAN, CHOI],
        "k_token_pruning_video", "Pruning redundant spatio-temporal tokens halves the cost of video transformers with no loss of accuracy.",
        orgs="kaist"),
    rec(C, "LGAug 8, 2023", "Hypergraph Neural Networks for Molecule Property Prediction", [LEE, PARK_A],
        "k_hypergraph_molecules", "Modelling rings and functional groups as hyperedges improves property prediction on small molecule datasets.",
        et_al=True, orgs="kaist"),
    # --- C4. Wei Chen vs Wen Chen (same lab, same topic); Yuki Tanaka / Yuki TANAKA ---
    rec(C, "CVApr 16, 2019", "A Survey of Visual Object Tracking", [WEI_CHEN, ZHANG, LIU],
        "k_tracking_survey_2019", "We review correlation filter and siamese trackers and compare them on a common set of benchmarks.",
        orgs="tsinghua"),
    rec(C, "CVAug 22, 2020", "Point Cloud Completion with Cascaded Refinement", [WEI_CHEN, LIU, TANAKA],
        "k_point_cloud_completion", "A coarse-to-fine decoder completes partial scans while preserving the observed points exactly.",
        orgs="tsinghua, utokyo"),
    rec(C, "CVJan 28, 2021", "Domain Generalization for Semantic Segmentation", [WEN_CHEN, WANG, ZHOU],
        "k_domain_generalization_seg", "Style randomisation of feature statistics makes segmentation networks trained on synthetic data work on real streets.",
        orgs="tsinghua"),
    rec(C, "CVJun 17, 2021", "Self-Supervised Pretraining for LiDAR Detection", [TANAKA_CAPS, WEI_CHEN],
        "k_lidar_pretraining", "Masked point modelling pretrains lidar backbones that need half the labels for the same detection accuracy.",
        orgs="utokyo"),
    rec(C, "CVMar 3, 2022", "Few-Shot Semantic Segmentation with Prototype Alignment", [WANG, WEN_CHEN],
        "k_fewshot_seg_prototype", "Aligning support and query prototypes in both directions improves one-shot segmentation on PASCAL-5i.",
        orgs="tsinghua"),
    rec(C, "CVJul 1, 2024", "Multi-Modal 3D Detection with Camera and Radar", [TANAKA, ZHANG, WEI_CHEN],
        "k_camera_radar_detection", "Radar points lifted into the camera frustum give robust 3D detection in rain and fog.",
        orgs="utokyo"),
    # --- C5. Daniel Rezende (USP, robotics + probabilistic ML) is not Danilo (J.) Rezende ---
    rec(C, "ROApr 4, 2019", "Visual Servoing for Agricultural Robots", [DANIEL_REZENDE, SANTOS, DASILVA],
        "k_visual_servoing_agri", "Image-based visual servoing guides a harvesting arm to fruit under heavy occlusion by leaves.",
        orgs="usp"),
    rec(C, "LGOct 10, 2020", "Variational Inference for Crop Yield Forecasting", [DASILVA, DANIEL_REZENDE, LIMA],
        "k_variational_crop_yield", "A variational state-space model forecasts crop yield with calibrated uncertainty from satellite time series.",
        orgs="usp"),
    rec(C, "ROMay 25, 2021", "Terrain Classification for Field Robots", [SANTOS, DANIEL_REZENDE],
        "k_terrain_classification", "Proprioceptive signals classify terrain for a field robot where cameras fail at night.",
        orgs="usp"),
    rec(C, "LGDec 6, 2021", "Bayesian Optimization for Irrigation Scheduling", [DASILVA_P, LIMA],
        "k_bayesopt_irrigation", "Bayesian optimisation over irrigation schedules saves water while keeping yields within five percent.",
        orgs="usp"),
    rec(C, "LGMar 18, 2022", "Generative Models for Agricultural Image Synthesis", [LIMA, DASILVA_CAPS, ROSSI],
        "k_agri_image_synthesis", "Diffusion-generated field images augment scarce labelled data for weed detection.",
        orgs="usp, polimi"),
]

D = "D-paper-dedup"
_ABS = {
    "gemini": seed_abstract("000", 10),
    "gemini15": seed_abstract("001", 7),
    "openended": seed_abstract("000", 7),
    "t5x": seed_abstract("004", 22),
    "math": seed_abstract("001", 31),
    "navigate": seed_abstract("001", 91),
}
_T5X = [P("Adam Roberts", "p_roberts_adam"), P("Hyung Won Chung", "p_chung_hyungwon"), P("Anselm Levskaya", "p_levskaya_anselm")]
_MATH = [P("Tony Feng", "p_feng_tony"), P("Trieu H. Trinh", "p_trinh_trieu"), P("Garrett Bingham", "p_bingham_garrett")]
_NAV = [P("Piotr Mirowski", "p_mirowski_piotr"), P("Razvan Pascanu", "p_pascanu_razvan"), VIOLA]
RECORDS += [
    # --- D1. byte-identical duplicate (as the seeds carry the Gemini report on three profiles) ---
    seed(D, "000", 10, [GEMINI, P("Rohan Anil", "p_anil_rohan"), P("Sebastian Borgeaud", "p_borgeaud_sebastian")], "k_gemini"),
    # --- D2. another organisation list ---
    rec(D, "CLMar 8, 2024", "Gemini 1.5: Unlocking multimodal understanding across millions of tokens of context",
        [GEMINI, P("Petko Georgiev", "p_georgiev_petko"), P("Ving Ian Lei", "p_lei_vingian")], "k_gemini_1_5",
        _ABS["gemini15"], et_al=True, orgs="deepmind"),
    # --- D3. Code badge missing ---
    rec(D, "LGFeb 16, 2022", "Open-Ended Reinforcement Learning with Neural Reward Functions", [R_MEIER, MUJIKA],
        "k_open_ended_rl", _ABS["openended"]),
    # --- D4. TeX and case: seed title with $\texttt{}$ vs a plain, lower-cased rendering ---
    seed(D, "004", 22, _T5X, "k_t5x_seqio"),
    rec(D, "LGMar 31, 2022", "Scaling up models and data with t5x and seqio", _T5X, "k_t5x_seqio", _ABS["t5x"], et_al=True),
    # --- D5. yearless date (captured 2026-03-01 -> Feb 10, 2026) vs the full date ---
    seed(D, "001", 31, _MATH, "k_autonomous_math"),
    rec(D, "LGFeb 10, 2026Code", "Towards Autonomous Mathematics Research", _MATH, "k_autonomous_math", _ABS["math"], et_al=True),
    # --- D6. yearless date after the capture day -> previous year (Dec 5, 2025) vs the full date ---
    rec(D, "CLDec 5", "Compositional Generalization in Instruction-Tuned Models", [GARCIA_ACC, DAVID_SMITH],
        "k_compositional_instruction", "Instruction-tuned models still fail on novel combinations of familiar instructions; we isolate why.",
        orgs="cmu"),
    rec(D, "CLDec 5, 2025", "Compositional Generalization in Instruction-Tuned Models", [GARCIA_ACC, DAVID_SMITH],
        "k_compositional_instruction", "Instruction-tuned models still fail on novel combinations of familiar instructions; we isolate why.",
        orgs="cmu, upf"),
    # --- D7. trailing whitespace on every line and a doubled inner space in the title ---
    Record(D, "CLOct 28, 2020  ", "", (NATARAJAN, DAVID_SMITH), "k_faithfulness_metrics",
           "Question-answering based metrics correlate better with human faithfulness judgements than n-gram overlap. \t",
           title_line="Faithfulness  Metrics for Abstractive SummarizationPriya Natarajan, David Smith · cmu   "),
    # --- D8. case + hyphenation and TeX math in titles ---
    rec(D, "CLApr 12, 2022", "Zero-Shot Dialect Identification for Norwegian", [HAUGEN, OLSEN_K],
        "k_zero_shot_dialect", "Phonetic transcriptions let a model trained on four dialect regions identify dialects it has never seen.",
        orgs="uio"),
    rec(D, "CLApr 12, 2022", "Zero-shot dialect identification for Norwegian", [HAUGEN, OLSEN_K],
        "k_zero_shot_dialect", "Phonetic transcriptions let a model trained on four dialect regions identify dialects it has never seen.",
        orgs="uio, ntnu"),
    rec(D, "CVMay 30, 2023Code", "Linear Attention with $\\mathcal{O}(n)$ Memory for Video Segmentation", [WEN_CHEN, ZHOU],
        "k_linear_attention_video", "Kernelised attention with constant memory per frame segments hour-long videos on a single GPU.",
        orgs="tsinghua"),
    rec(D, "CVMay 30, 2023", "Linear Attention with O(n) Memory for Video Segmentation", [WEN_CHEN, ZHOU],
        "k_linear_attention_video", "Kernelised attention with constant memory per frame segments hour-long videos on a single GPU."),
    # --- D9. the same seed paper on two profiles (byte-identical) ---
    seed(D, "001", 91, _NAV, "k_navigate_complex_2016"),
    seed(D, "003", 61, _NAV, "k_navigate_complex_2016"),
    # --- D10. same title, different papers: years apart (also with case change) and months apart ---
    rec(D, "CVNov 9, 2023", "A Survey of Visual Object Tracking", [WEN_CHEN, ZHOU, WANG],
        "k_tracking_survey_2023", "We review transformer-based trackers and the benchmarks that appeared since 2019.",
        orgs="tsinghua"),
    rec(D, "ROSep 6, 2022", "Learning to navigate in complex environments", [WROBEL, KELLER],
        "k_navigate_complex_2022", "A legged robot learns to traverse stairs, rubble and narrow passages from onboard depth alone.",
        orgs="ethz"),
    rec(D, "LGMar 2, 2022", "Contrastive Learning for Graph Anomaly Detection", [KIM, LEE],
        "k_graph_anomaly_kaist", "Contrasting each node with its neighbourhood detects anomalous accounts in transaction graphs.",
        orgs="kaist"),
    rec(D, "LGNov 20, 2022", "Contrastive Learning for Graph Anomaly Detection", [WANG, ZHOU],
        "k_graph_anomaly_tsinghua", "Multi-view contrastive objectives flag anomalous subgraphs in citation and social networks.",
        orgs="tsinghua"),
]


def build() -> dict[str, int]:
    listing: list[str] = []
    mentions: list[tuple[int, int, str, str]] = []
    papers: list[tuple[int, str]] = []
    blocks: dict[str, tuple[int, int]] = {}
    for r in RECORDS:
        line = len(listing) + 1
        listing.extend(r.lines())
        papers.append((line, r.paper))
        for position, (name, person) in enumerate(r.authors, start=1):
            mentions.append((line, position, name, person))
        first, _ = blocks.get(r.block, (line, line))
        blocks[r.block] = (first, line)
    (HERE / "listing.txt").write_text("\n".join(listing) + "\n", encoding="utf-8", newline="")
    with open(HERE / "mentions.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source_line", "position", "name_as_listed", "person"])
        w.writerows(mentions)
    with open(HERE / "papers.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source_line", "paper"])
        w.writerows(papers)
    people = {m[3] for m in mentions}
    stats = {
        "records": len(RECORDS),
        "mentions": len(mentions),
        "persons": sum(p.startswith("p_") for p in people),
        "groups": sum(p.startswith("g_") for p in people),
        "papers": len({p for _, p in papers}),
    }
    for block, (first, last) in blocks.items():
        print(f"{block}: header lines {first}-{last}")
    print(stats)
    return stats


if __name__ == "__main__":
    build()
