#!/usr/bin/env python3
"""Generate synthetic researcher-profile listing text for benchmarks.

    python benchmarks/generate.py N OUT [--files K] [--seed S] [--captured-on YYYY-MM-DD]

Writes N records split over K files (default: one file per ~5,000 records) named
``profile_00000.txt`` ... into directory OUT (existing ``profile_*.txt`` there are
replaced), and prints a one-line summary.  Output is a pure function of
(N, K, seed, captured-on): one ``random.Random(seed)`` drives everything, no global
random state, no clock, no set iteration.

Each record has the three lines of a real listing (see ``samples/``)::

    LGFeb 16, 2022Code
    Open-Ended Reinforcement Learning with Neural Reward FunctionsRobert Meier, Asier Mujika
    Inspired by the great success of unsupervised learning ...

What the data looks like, roughly (per record):

* ~1.2 KB: abstracts of ~920-1,250 characters (mean ~1,070) assembled from a pool of
  20,000 generated ML-flavoured sentences; titles of 5-15 words from templates (colons, commas,
  digits, acronyms, CamelCase method names, ~1 % TeX such as ``$\\texttt{t5x}$``,
  ~30 % in sentence case);
* categories mostly LG/CL/CV/AI/ML/NE, ~12 % spread over the rest of the arXiv
  taxonomy (incl. shared codes such as SY/CV/IT and whole archives such as ``hep-th``);
* dates 2010-2025 weighted towards recent years; ~3 % yearless (``LGFeb 10``), which
  are dates of the capture year on or before the capture day (default 2026-11-23);
* ~10 % ``Code`` badges, ~60 % ``et al.`` (3 authors shown), ~15 % organisation slugs;
* authors from a population of 0.8 N persons (16 naming cultures: a head of real
  given names/surnames with diacritics, particles ``van den`` / ``de la``, apostrophes,
  ``Mc``/``Le`` prefixes, hyphenated given names, middle names/initials, and a long tail
  of composed surnames) with a Zipf-Mandelbrot productivity (about half of the persons
  who appear appear once; the most productive one in ~0.1 % of the Zipf draws); each
  file is a "profile" whose owner is in ~30 % of its records (so owners are the most
  prolific authors) and which has a lab of 40 frequent coauthors.  Mentions mostly use a person's canonical form; ~10 % use a variant
  (accents dropped, middle initial vs full middle name vs none, first initial).
  Homonyms (same surname + first initial, even the same full name: many a ``Wei Wang``)
  arise from the name frequencies: ~88 % of the persons have a name string of their
  own at N = 100k, ~70 % at N = 1M;
* ~0.4 % of papers have a group author first (``Gemini Team``, ``Imagen-Team-Google``);
* ~10 % of records re-list a paper from an earlier file (none in the first file, so
  later files have a little more; none at all with one file): 55 % byte-identical,
  else with a different badge, organisation list, one author's name variant, or
  (4 %) a date a few days off; ~0.1 % reuse an old title for a new paper years later;
* ~0.5 % bad records, each yielding exactly one reject in the project's parser:
  missing abstract line, impossible date (``Feb 30``), a junk line between records,
  a record whose date line is missing.  ~5 % of files use CRLF, ~3 % start with a BOM.

Every good record parses under the project's *strict* title/author grammar, with the
exact title and authors it was generated from (checked on 80,000 records).  Real names
that the strict grammar splits wrongly are deliberately left out rather than worked
around: a glued-capital given name (``JoAnn``), a lowercase letter after an apostrophe
(``Jun'ichi``), ``Ó hÉigeartaigh``, all-capitals given names (``DJ``, ``AJ``) after a
title ending in an acronym, and organisation authors without a group keyword
(``NVIDIA``, ``BigScience Workshop``).

Only the standard library is used; this script is not imported by the package.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import unicodedata
from bisect import bisect
from itertools import accumulate
from pathlib import Path

# --------------------------------------------------------------------------- #
# Categories (listing code, weight).  Codes as a listing shows them: the part
# after the archive (``cs.LG`` -> ``LG``), whole archives for physics.
# --------------------------------------------------------------------------- #

CATEGORIES = [
    ("LG", 300), ("CL", 190), ("CV", 170), ("AI", 75), ("ML", 60), ("NE", 25),
    ("RO", 30), ("IR", 15), ("CR", 15), ("SD", 10), ("HC", 10), ("CY", 10), ("SE", 9),
    ("DC", 8), ("MA", 6), ("IT", 6), ("GT", 5), ("SY", 5), ("DS", 5), ("LO", 4), ("PL", 4),
    ("SI", 4), ("GR", 3), ("DB", 3), ("MM", 3), ("NI", 3), ("AR", 2), ("CC", 2), ("CE", 2),
    ("FL", 1), ("DM", 1), ("CG", 1), ("ET", 1), ("PF", 1), ("NA", 1), ("SC", 1), ("MS", 1),
    ("AS", 6), ("IV", 6), ("SP", 4),            # eess
    ("ME", 3), ("AP", 2), ("CO", 2), ("TH", 1),  # stat (TH is also econ.TH)
    ("OC", 4), ("ST", 2), ("PR", 2), ("NT", 1), ("CO", 1), ("AG", 1),  # math
    ("NC", 4), ("QM", 3), ("BM", 2), ("GN", 1),  # q-bio
    ("quant-ph", 4), ("hep-th", 1), ("hep-ph", 1), ("gr-qc", 1), ("math-ph", 1),
    ("dis-nn", 2), ("stat-mech", 1), ("mtrl-sci", 1),  # cond-mat
    ("comp-ph", 1), ("data-an", 1), ("soc-ph", 1), ("flu-dyn", 1), ("bio-ph", 1),  # physics
    ("IM", 1), ("GA", 1),  # astro-ph
    ("EM", 1), ("TR", 1), ("CP", 1),  # econ, q-fin
    ("AO", 1), ("CD", 1),  # nlin
]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
FIRST_YEAR, LAST_FULL_YEAR = 2010, 2025

ORG_SLUGS = [
    ("deepmind", 30), ("google", 25), ("mila", 12), ("mit", 12), ("stanford", 12),
    ("openai", 8), ("meta", 12), ("microsoft", 12), ("amazon-science", 6), ("baidu", 5),
    ("berkeley", 10), ("cmu", 10), ("tsinghua", 10), ("peking", 6), ("nvidia", 7),
    ("oxford", 6), ("cambridge", 5), ("eth-zurich", 6), ("epfl", 5), ("ucl", 4),
    ("inria", 5), ("max-planck", 4), ("allen-ai", 4), ("hugging-face", 3), ("toronto", 5),
    ("vector-institute", 3), ("tencent", 5), ("alibaba", 5), ("bytedance", 4),
    ("samsung", 3), ("ibm", 4), ("apple", 3), ("uw", 5), ("princeton", 4), ("harvard", 3),
    ("nyu", 4), ("kaist", 3), ("riken", 2), ("a-star", 2), ("salesforce", 2),
    ("anthropic", 2), ("mistral-ai", 1), ("cohere", 1), ("naver", 2), ("sony", 2),
]

GROUP_AUTHORS = [
    "Gemini Team", "Gemma Team", "Qwen Team", "Kimi Team", "GLM Team", "Llama Team",
    "Chameleon Team", "Genie Team", "SIMA Team", "Gemini Robotics Team", "Imagen-Team-Google",
    "Veo-Team-Google", "OpenAI", "DeepSeek-AI", "MiniMax", "The ATLAS Collaboration",
    "CMS Collaboration", "LIGO Scientific Collaboration", "Open X-Embodiment Collaboration",
    "BigCode Project", "AlphaProof Team",
]

JUNK_LINES = [
    "Show more", "Load more papers", "View all 143 papers", "Page 2 of 14", "Sort by: Most recent",
    '<div class="paper-card">', "\u2022\u2022\u2022", "Bookmarks 12 \u00b7 Followers 340",
    "\x00\x07\x1bbinary\x7f junk", "undefined", "[object Object]", "Loading...",
]

# --------------------------------------------------------------------------- #
# Names: (weight, given names, surnames, P(middle name), middle-name pool or None)
# Lists are roughly in frequency order; draws within a list are Zipf-weighted.
# --------------------------------------------------------------------------- #

_CN_GIVEN = (
    "Wei Jing Hao Yu Xin Yang Lei Jie Tao Yi Lin Bo Chen Yue Ming Jun Kai Rui Xiao Yan Hui Peng "
    "Qiang Zhen Fei Yifan Xinyu Haoran Yuxuan Zhiyuan Jiahui Yiming Zihan Siyuan Jiaxin Yichen "
    "Ziyu Xiangyu Zhengyang Tianyu Shuai Zhiwei Weijie Xiaoming Jiawei Yizhou Chenglong Hongyu "
    "Junyang Shengding Yuan Zhe Han Jian Ning Qi Shuo Xu Yao Ze Zhao Kun Liang Mingxing Yujia "
    "Yanping Denny Xuezhi Lechao Tengyu Danqi Beidi Zhiting Xiaohua Ce Le Xi Di Jia "
    "Wei-Hung Chia-Chun Yu-Xiang Jun-Yan Ming-Wei Kai-Wei Tie-Yan Hsiang-Fu Chu-Cheng "
    "Yun-Nung Hung-yi Kuang-Huei Shih-Fu Chih-Jen"
).split()
_CN_SUR = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng "
    "Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye "
    "Cheng Wei Su Lu Ding Ren Shen Yao Fan Fu Zhong Tan Qian Hsu Chang Chiang Tsai Hsieh Lai "
    "Kuo Tu Bai Qin Xue Mao Hou Shao Meng Long Wan Duan Lei Qiu"
).split()
_EN_GIVEN = (
    "James John Michael David Robert William Daniel Matthew Andrew Christopher Thomas Joseph Ryan "
    "Samuel Benjamin Nicholas Jonathan Alexander Jacob Adam Mark Paul Peter Richard Steven Kevin "
    "Brian Eric Jason Timothy Sarah Emily Jessica Jennifer Elizabeth Rachel Laura Emma Hannah "
    "Rebecca Katherine Amanda Megan Lauren Olivia Sophie Charlotte Claire Anna Alice Grace "
    "Natalie Victoria Chelsea Tom Jack Sam Ben Nat Greg Alex Chris Dan Will Jeff Tim Aaron Ian "
    "Noah Percy Oliver Harry Luke Max Jared Scott Geoffrey Shakir Irina Raia Murray Demis Shane "
    "Jan-Michael Mary-Anne Kerry-Ann"
).split()
_EN_SUR = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
    "Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill "
    "Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans "
    "Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell "
    "Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers "
    "Long Ross Foster McAleese McMahan McCallum McKenzie MacKay MacGlashan FitzGerald O'Donoghue "
    "O'Brien O'Neill D'Amour Graves Silver Hassabis Botvinick Legg Irving Leike Christiano Amodei "
    "Kaplan Radford Glaese Blundell Lillicrap Wayne Hatfield-Dodds Sohl-Dickstein Shanahan"
).split()
_DE_GIVEN = (
    "Jürgen Bernhard Matthias Andreas Stefan Tobias Florian Sebastian Lukas Felix Jonas "
    "Maximilian Julian Philipp Katharina Lena Anja Julia Frank Klaus Dirk Sven Jörg Björn Jan "
    "Pieter Bram Joost Koen Sander Max Hado Diederik Laurens Tinne Willem Hans-Peter Karl-Heinz "
    "Jan-Hendrik Ulrike Moritz Georg Angelika Johannes Frederik Marius Nils Anke Wouter Thijs"
).split()
_DE_SUR = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt "
    "Werner Krause Meier Lehmann Köhler Schölkopf Schmidhuber Hutter Hennig Steger Lengler "
    "Weissenberger Benzing Jansen Bakker Visser Smit Mulder Peters Welling Kingma Tuytelaars "
    "Dieleman Gauy Unterthiner Minderer Heigold Uszkoreit Springenberg Riedmiller Buesing"
).split() + ["van den Oord", "van der Maaten", "van Hasselt", "van der Schaar", "de Vries",
             "de Jong", "de Boer", "van Dijk", "Van Gool", "Van den Broeck", "von Luxburg",
             "von Oswald", "van Merriënboer", "ter Hoeve", "van Steenkiste"]
_FR_GIVEN = (
    "Jean Pierre Nicolas Julien Guillaume Antoine Thomas Mathieu François Rémi Gaël Hervé Léon "
    "Benoît Stéphane Étienne Éric Céline Amélie Léa Chloé Camille Manon Élise Hélène "
    "Jean-Baptiste Jean-Bastien Jean-Philippe Marie-Anne Jean-François Pierre-Yves Anne-Laure "
    "Théophane Florent Sébastien Aurélien Jérôme Frédéric Cédric Matthieu Olivier Francis "
    "Alexandre Edouard Armand Gauthier Loïc Mélanie Zoé"
).split()
_FR_SUR = (
    "Martin Bernard Dubois Durand Lefebvre Leroy Moreau Laurent Simon Michel Fontaine Rousseau "
    "Girard Bonnet Lambert Faure Mercier Blanc Guérin Boyer Chevalier Gauthier Lefèvre Perrin "
    "Bach Varoquaux Thirion Gramfort Mairal Munos Bottou Jégou Joulin Lample Grave Conneau Sagot "
    "Yvon Lacoste-Julien Bouchard-Côté Altché Racanière Piot Pietquin Geist Strub Grill Besse "
    "Dupont Delattre Mesnard Ferret Rivière Botev"
).split() + ["Le Roux", "Le Scao", "Le Bras", "de Freitas", "d'Ascoli", "de la Clergerie",
             "de Laroussilhe", "De Fauw"]
_ES_GIVEN = (
    "José Juan Carlos Luis Javier Miguel Alejandro Pablo Diego Sergio Adrià Iñigo María Lucía "
    "Elena Laura Marta Ana Sofía Paula Andrés Joaquín João Tiago Rafael Gonçalo Inês Beatriz "
    "Marcelo Leticia Raúl Óscar Álvaro Asier Danilo Nerea Jordi Núria"
).split()
_ES_SUR = (
    "García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores "
    "Rivera Gómez Díaz Moreno Muñoz Romero Alonso Gutiérrez Navarro Ruiz Vázquez Castro Ortega "
    "Rubio Molina Silva Santos Oliveira Pereira Costa Ferreira Carreira Rodrigues Almeida Sousa "
    "Mujika Rezende Colmenarejo Hernández-Orallo Hernández-Lobato Lázaro-Gredilla"
).split() + ["Puigdomènech Badia", "de las Casas", "del Río", "de la Torre", "dos Santos",
             "da Silva", "Agüera y Arcas"]
_IT_GIVEN = (
    "Luca Marco Andrea Matteo Alessandro Francesco Lorenzo Davide Simone Federico Giulia Chiara "
    "Francesca Sara Martina Giorgio Riccardo Stefano Massimiliano Fabio Paolo Giovanni Tommaso "
    "Niccolò Iacopo Marc'Aurelio Razvan Ilaria"
).split()
_IT_SUR = (
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "Costa Giordano Mancini Rizzo Lombardi Moretti Pascanu Viola Ciaramita Versari Zecchina "
    "Biroli Ermon Soatto Poggio Gesmundo Sbaiz Ranzato Dell'Amico D'Angelo Cesa-Bianchi"
).split() + ["De Luca", "Di Stefano", "Dal Lago"]
_SL_GIVEN = (
    "Wojciech Krzysztof Piotr Tomasz Michał Łukasz Paweł Marcin Jakub Szymon Grzegorz Stanisław "
    "Aleksander Katarzyna Agnieszka Magdalena Tomáš Ondřej Jiří Petr Lukáš Ivan Dmitry Sergey "
    "Alexey Andrey Mikhail Nikita Ilya Yuri Anastasia Ekaterina Olga Tatiana Irina Natalia "
    "Volodymyr Oleksandr Dmytro Igor Matko Mateusz"
).split()
_SL_SUR = (
    "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
    "Woźniak Dąbrowski Czarnecki Zaremba Kaiser Maziarz Jastrzębski Świrszcz Trębacz Mądry "
    "Stańczyk Józefowicz Novák Svoboda Dvořák Černý Procházka Kočiský Mikolov Ivanov Smirnov "
    "Kuznetsov Popov Sokolov Lebedev Kozlov Novikov Morozov Volkov Vetrov Osokin Mnih Babuschkin "
    "Shevchenko Kovalenko Bondarenko Tkachenko Malinowski Bošnjak Lučić Khorlin Dubatovka"
).split()
_IN_GIVEN = (
    "Aditya Rahul Arjun Vikram Ankit Rohan Siddharth Pranav Abhishek Ashish Sanjeev Ravi Karthik "
    "Anirudh Varun Kartik Praveen Sai Priya Ananya Divya Neha Pooja Shreya Aishwarya Aakanksha "
    "Kavya Meera Lakshmi Sneha Deepak Amit Vijay Manish Prateek Nikhil Tejas Harsha Srinivas "
    "Venkatesh Arun Soham"
).split()
_IN_SUR = (
    "Sharma Gupta Singh Kumar Patel Agarwal Jain Shah Mehta Reddy Rao Iyer Nair Menon Pillai "
    "Krishnan Raman Chatterjee Banerjee Mukherjee Das Bose Ghosh Sen Verma Mishra Tiwari Pandey "
    "Chowdhery Srinivasan Narayanan Subramanian Venkatesan Bhattacharya Kapoor Malhotra Khanna "
    "Arora Joshi Kulkarni Kamath Pathak Vaswani"
).split()
_KR_GIVEN = (
    "Minjoon Seungwook Jinwoo Jaehoon Sungjin Dongwon Kyunghyun Junyoung Hyunwoo Jiwon Yejin "
    "Soyeon Eunsol Hyeonwoo Sangdoo Jaegul Seonghyeon Jae-hoon Min-jun Seung-won Ji-hoon "
    "Hyung-Won Sungmin Hoon"
).split()
_KR_SUR = (
    "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Oh Seo Kwon Hwang Ahn Song Yoo Hong "
    "Chung Moon Yang Baek"
).split()
_JP_GIVEN = (
    "Takashi Hiroshi Kenji Yuki Naoki Satoshi Shinji Kazuki Ryota Daisuke Takuya Yusuke Kohei "
    "Masashi Yutaka Sho Haruka Akiko Yoko Mariko Aya Shun Kenta Tomoya Koichi Yutaro"
).split()
_JP_SUR = (
    "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada "
    "Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Mori Ikeda Hashimoto Ishii Ogawa "
    "Okada Sugiyama Matsuo Miyao"
).split()
_VN_GIVEN = "Anh Minh Hung Quoc Tuan Duc Thanh Trung Hoang Khoa Linh Huong Trieu Đức Thành Hưng Tuấn Quốc Dũng Nam Long Phong Huy Khanh Bao Thu Ngoc Phuong Vy Trang Tam Hieu Dat Son Hai Quang Thao Nhung Hằng Phương Ngọc Khánh".split()
_VN_SUR = "Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Trinh Nguyễn Trần Lê Phạm".split()
_VN_MID = "Van Thi Minh Hoang Duc Văn Thị".split()
_TR_GIVEN = "Mehmet Ahmet Mustafa Emre Burak Can Çağlar Deniz Elif Zeynep Ayşe Gökhan Özgür Barış İlker Serkan Onur Atılım".split()
_TR_SUR = "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Gülçehre Akata Erdem Güneş".split()
_NO_GIVEN = "Lars Anders Erik Nils Søren Ole Magnus Henrik Jens Mikkel Rasmus Kristian Bjørn Sigurd Ingrid Astrid Sigrid Freja Maja Hafsteinn Úlfar Åsa Øystein".split()
_NO_SUR = "Hansen Johansen Olsen Larsen Andersen Pedersen Nielsen Kristensen Jensen Søgaard Winther Hauberg Lindqvist Lundberg Karlsson Nilsson Eriksson Johansson Svensson Gustafsson Einarsson Erlingsson Berg Dahl".split()
_AR_GIVEN = "Mohammad Mohamed Ahmed Ali Omar Hassan Hussein Youssef Karim Khaled Tarek Amir Reza Mahdi Hamid Farhad Mehdi Sara Fatima Leila Yasmin Nour Maryam Shirin Parisa Abdel-rahman".split()
_AR_SUR = (
    "Hassan Ali Ahmed Ibrahim Mahmoud Khalil Haddad Saleh Nasser El-Sayed Al-Dujaili AlQuraishi "
    "Mansour Rahimi Hosseini Mohammadi Ahmadi Karimi Moradi Rezaei Jafari Norouzi Dehghani "
    "Farajtabar Ghahramani Azar Saab Eslami"
).split()
_GR_GIVEN = "Ioannis Dimitris Georgios Nikos Konstantinos Eleni Maria Christos Panagiotis Stavros Efi Sotiris Vasileios Athanasios Evangelos Michail Spyros Katerina Despina Alexandros Theodoros Ilias".split()
_GR_SUR = "Papadopoulos Antonoglou Mitliagkas Tsipras Papamakarios Daskalakis Kokiopoulou Georgiou Nikolaidis Karamanolakis Alexiou Vlachos".split()
_IL_GIVEN = "Yoav Omer Ido Amir Shai Elad Noa Tal Yael Roee Uri Nadav Itay Gal Yonatan Eyal Ronen Michal Shira Lior Amit Asaf Guy Tomer Yuval Nir".split()
_IL_SUR = "Goldberg Levy Cohen Dagan Shamir Hazan Shalev-Shwartz Ben-David Tsarfaty Globerson Weiss Katz Friedman Rosenbaum El-Yaniv".split()

# Long tails: real name distributions have a head of common names (the lists above)
# and a long tail of rare ones.  Tails are composed from stems and endings of the same
# culture, so that name strings are mostly distinct while common names (Wei Wang,
# David Smith) stay shared by several persons.
def _compose(stems: str, endings: str, mids: str = "") -> list[str]:
    """stem (+ optional middle syllable) + ending: ``Ash`` + ``er`` + ``ford``."""
    out: dict[str, None] = {}
    for a in stems.split():
        for m in ["", *mids.split()]:
            if m and a[-1] == m[0]:
                continue
            for e in endings.split():
                e = e.lower()
                if (m or a)[-1] == e[0]:  # no doubled letter at a join (Hariini)
                    continue
                out[a + m + e] = None
    return list(out)


_PINYIN = ("Zhi Yu Xin Hao Jia Yi Zi Wen Jun Hui Ming Xiao Tian Yun Rui Chen Kai Jing Lin Yan Shu "
           "Qing Hong Wei Ze Han Yue Bo Xu Si Meng Fei Zhen Peng Lei Tao Long Feng Qi Jie Ling Xue "
           "Hua Li Na Ying Ning Shan Guang Dong Liang Sheng Jian An Yang Cheng Heng Kun Rong Xiang "
           "Yong Zheng Zhong Qian Chao Hai Jin Mei Min Ping Qiang Song Xi Xian Yao Yin Yuan Zhao")
_TAILS = {
    "cn_given": _compose(_PINYIN, _PINYIN),
    "en_sur": _compose("Ash Black Brad Brook Cam Craw Dal Ed Fair Fen Gar Hal Har Hart Hay Hol Kings "
                       "Lang Mar Mid Mor New Nor Ox Pen Rad Red Ros Rut Shel Stan Staf Thorn Wal "
                       "Wed Wes Whit Win Wood Wy Bur Chad Dun Els Gil Lock",
                       "ford ton ley wood field well by worth more ham stone land hurst combe "
                       "ridge wick dale man er son", "er en in el ing"),
    "in_given": _compose("Aa Ab Adi Ani Ar Bha Chai Dee Dhr Ga Har Ish Jay Kar Kri Man Nav Pra Rag "
                         "Sha Shr Sid Sur Tan Uday Vai Var Vik Yash",
                         "an ini esh ish ya ita ant av ul endra raj deep veer ika", "a i"),
    "in_sur": _compose("Ragh Krish Sub Venk Nar Ram Srin Bal Gop Chand Shank Sund Vish Har Pad Mad "
                       "Anand Mur Sesh Sath Bhat Kul Desh Dwiv Trip Chatur",
                       "avan an amanian atesh ayan asamy aswamy akrishnan ath ar endra ani aiah "
                       "ayya edi ella", "a i u"),
    "de_sur": _compose("Schwarz Wein Rosen Gold Silber Eisen Stein Berg Linden Hoch Neu Alt Wald "
                       "Kirch Dorn Blum Lichten Feld Sonnen Frei Kreuz Brunn Holz Tann Falken Grün "
                       "Köh Höf Mühl Schön Kl Dür",
                       "berg mann stein feld bach thal hof burg er hauser meier kamp holz wald "
                       "brunner ling", "en er s el"),
    "fr_sur": _compose("Beau Bon Belle Chau Cham Dela Dupu Fav Font Gir Lafon Mont Roche Vill Vau "
                       "Chastel Bois Mar Ros Lem Cour Daub Gauth",
                       "mont champ ville court lieu fort val ard ier ière eau ot in et ais ès", "er en el"),
    "es_sur": _compose("Alv Bel Cabr Cerv Dom Esc Fern Gal Guzm Her Ib Lor Mend Nav Or Pal Quint Rom "
                       "Salv Tor Vel Zam Arr Bust Cid Ech",
                       "ández ero ado iz ez uera ales illo era ano ón eira oso ara ínez", "ar er or"),
    "it_sur": _compose("Bel Bon Cap Cas Cor Fal Fer Gal Lom Mar Mor Pel Ross San Ser Tor Val Vit Zan "
                       "Bar Cer Pag Mont Fior Gri",
                       "ini etti ello one ucci ari elli otti ato ano ardi esi ino à", "er ar ol"),
    "sl_sur": _compose("Kowal Nowak Wiśn Lewand Zieli Szyman Dąbrow Kozł Jankow Mazur Krawcz Piotrow "
                       "Grabow Paw Michal Król Wiecz Jabłoń Majew Olszew Malin Gór Rutk Sob Ivan "
                       "Petr Smirn Kuzn Volk Sokol Pop Lebed Novik Moroz Pavl Semen Golub Bogd "
                       "Vorob Fedor Mikh Zakh Dvor Hor Kral Vesel",
                       "ski ska owski ewicz czyk iak ov ova enko in ich ovich ev sky ák ík", "ow ew in ar"),
    "kr_given": _compose("Min Seung Ji Hyun Jae Sung Young Dong Jun Woo Soo Hee Jin Ho Kyung Eun Sang "
                         "Yeon Hye Tae Won Chan Seo Da Na Ha",
                         "min seung ji hyun jae sung young dong jun woo soo hee jin ho kyung eun "
                         "sang yeon hye tae won chan seo bin"),
    "jp_given": _compose("Ta Ka Hi Yu Sa Ma Ke No Ko Shi To Ri Na Mi Ha Ryo Dai Sho Kazu Masa Hiro "
                         "Yoshi Tomo Aki",
                         "ro ki shi ko ta ya suke hiro to ka mi ri nori yuki hiko taka"),
    "jp_sur": _compose("Yama Naka Taka Matsu Kawa Ishi Hashi Fuji Kita Mori Haya Oka Ono Sugi Tani "
                       "Uchi Hira Kuro Shiro Aoki Miya Nishi Higashi Shima",
                       "moto mura hashi kawa da ta no zaki yama shita uchi gawa oka hara", "no ka mi"),
    "tr_sur": _compose("Kara Ak Öz Yıl Demir Çelik Er Gül Ay Tun Bal Uz Şen Kal Kır",
                       "oğlu er can soy türk kaya taş han dağ", "al er"),
    "no_sur": [g + e for g in _NO_GIVEN[:16] + ["Anders", "Peder", "Jakob", "Svein", "Gunnar"]
               for e in ("sen", "son", "sson") if not (g.endswith("s") and e == "sson")],
    "ar_sur": _compose("Abdul Rahm Kar Moh Hos Jaf Naz Sad Tah Zar Far Bah Shir Ghaf Kaz Sol Ham "
                       "Nour Sal Mous",
                       "ani i ian zadeh pour nejad abadi vand far avi", "an ar"),
    "gr_sur": _compose("Papa Alex Dimitr Georg Konst Nik Christ Panag Stav Vasil Kyr Theod Mich Ioann",
                       "opoulos ides akis ou iadis atos elis", "ak an"),
    "il_sur": _compose("Gold Silver Rosen Stern Fried Wein Blum Green Lieb Eisen Kauf Ber",
                       "berg man stein feld baum blatt thal", "en s"),
}

CULTURES = [
    # weight, given head, given tail, P(tail given), surname head, surname tail, P(tail surname),
    # P(middle name), middle pool (None: the given-name head)
    (28, _CN_GIVEN, _TAILS["cn_given"], 0.7, _CN_SUR, [], 0.0, 0.01, None),
    (18, _EN_GIVEN, [], 0.0, _EN_SUR, _TAILS["en_sur"], 0.75, 0.30, None),
    (9, _IN_GIVEN, _TAILS["in_given"], 0.6, _IN_SUR, _TAILS["in_sur"], 0.6, 0.10, None),
    (8, _DE_GIVEN, [], 0.0, _DE_SUR, _TAILS["de_sur"], 0.7, 0.10, None),
    (6, _FR_GIVEN, [], 0.0, _FR_SUR, _TAILS["fr_sur"], 0.7, 0.06, None),
    # a second (single-word) surname as a "middle" name: Danilo Jimenez Rezende / Danilo J. Rezende
    (5, _ES_GIVEN, [], 0.0, _ES_SUR, _TAILS["es_sur"], 0.65, 0.25,
     [s for s in _ES_SUR if " " not in s and "-" not in s]),
    (4, _IT_GIVEN, [], 0.0, _IT_SUR, _TAILS["it_sur"], 0.7, 0.05, None),
    (5, _SL_GIVEN, [], 0.0, _SL_SUR, _TAILS["sl_sur"], 0.7, 0.04, None),
    (4, _KR_GIVEN, _TAILS["kr_given"], 0.6, _KR_SUR, [], 0.0, 0.02, None),
    (3, _JP_GIVEN, _TAILS["jp_given"], 0.6, _JP_SUR, _TAILS["jp_sur"], 0.6, 0.02, None),
    (1.5, _VN_GIVEN, [], 0.0, _VN_SUR, [], 0.0, 0.40, _VN_MID),
    (1.5, _TR_GIVEN, [], 0.0, _TR_SUR, _TAILS["tr_sur"], 0.6, 0.03, None),
    (2, _NO_GIVEN, [], 0.0, _NO_SUR, _TAILS["no_sur"], 0.5, 0.05, None),
    (3, _AR_GIVEN, [], 0.0, _AR_SUR, _TAILS["ar_sur"], 0.6, 0.10, None),
    (1, _GR_GIVEN, [], 0.0, _GR_SUR, _TAILS["gr_sur"], 0.6, 0.03, None),
    (1.5, _IL_GIVEN, [], 0.0, _IL_SUR, _TAILS["il_sur"], 0.6, 0.03, None),
]

# --------------------------------------------------------------------------- #
# Title vocabulary
# --------------------------------------------------------------------------- #

ADJ = (
    "Efficient Scalable Robust Neural Deep Hierarchical Contrastive Self-Supervised Unsupervised "
    "Semi-Supervised Sparse Differentiable Bayesian Probabilistic Generative Adversarial Recurrent "
    "Multimodal Multilingual Causal Federated Continual Offline Online Distributed Adaptive "
    "Implicit Latent Variational Stochastic Optimal Fast Provable Interpretable Explainable Fair "
    "Private Secure Low-Rank Long-Context Large-Scale Few-Shot Zero-Shot Compositional Modular "
    "Equivariant Invariant Geometric Temporal Spatial Structured Unified Universal Lightweight "
    "Compact Dense Discrete Continuous Hybrid Cross-Lingual Open-Ended Model-Based Model-Free "
    "Sample-Efficient Data-Efficient Energy-Based Score-Based Diffusion-Based Transformer-Based "
    "Attention-Based Memory-Augmented Retrieval-Augmented Instruction-Tuned Reward-Free "
    "Goal-Conditioned Multi-Agent Multi-Task Decentralized Asynchronous Parallel Quantized "
    "Pruned Distilled Calibrated Certified Verified Grounded Embodied Interactive Autoregressive "
    "Non-Autoregressive Masked Conditional Hyperbolic Spectral Topological Symbolic Neuro-Symbolic "
    "Physics-Informed Kernel-Based Gradient-Free Second-Order First-Order Accelerated Regularized "
    "Nonparametric Parametric Linear Nonlinear Convex Non-Convex Streaming Incremental Active "
    "Lifelong Transferable Domain-Invariant Uncertainty-Aware Cost-Sensitive Safe Constrained "
    "Hierarchically-Structured Fine-Grained Coarse-to-Fine End-to-End Plug-and-Play Training-Free"
).split()
NOUN = (
    "Networks Models Transformers Representations Embeddings Policies Agents Priors Kernels "
    "Autoencoders Flows Attention Memory Gradients Estimators Objectives Features Benchmarks "
    "Datasets Architectures Optimizers Classifiers Encoders Decoders Tokenizers Retrievers "
    "Planners Controllers Critics Ensembles Experts Adapters Prompts Heuristics Abstractions "
    "Simulators Surrogates Programs Graphs Trees Hypernetworks Operators Fields Codes Sketches "
    "Mixtures Posteriors Likelihoods Rewards Curricula Skills Options Demonstrations Explanations"
).split()
NOUN_PHRASE = [
    "Language Models", "Diffusion Models", "Vision Transformers", "Graph Neural Networks",
    "Reward Models", "World Models", "Value Functions", "Mixture of Experts", "State Space Models",
    "Neural Fields", "Point Clouds", "Knowledge Graphs", "Recurrent Neural Networks",
    "Convolutional Networks", "Normalizing Flows", "Gaussian Processes", "Neural ODEs",
    "Energy-Based Models", "Variational Autoencoders", "Generative Adversarial Networks",
    "Spiking Neural Networks", "Decision Transformers", "Sparse Autoencoders", "Vision-Language Models",
    "Large Language Models", "Speech Models", "Embedding Models", "Foundation Models",
    "Policy Gradients", "Q-Functions", "Attention Heads", "Neural Operators", "Kernel Methods",
]
TASK = [
    "Image Classification", "Object Detection", "Semantic Segmentation", "Machine Translation",
    "Question Answering", "Text Summarization", "Speech Recognition", "Reinforcement Learning",
    "Continual Learning", "Domain Adaptation", "Anomaly Detection", "Time Series Forecasting",
    "Protein Structure Prediction", "Code Generation", "Theorem Proving", "Program Synthesis",
    "Visual Navigation", "Robotic Manipulation", "Recommendation", "Information Retrieval",
    "Dialogue Generation", "Text-to-Image Generation", "Video Understanding", "Molecule Generation",
    "Weather Forecasting", "Causal Discovery", "Active Learning", "Neural Architecture Search",
    "Hyperparameter Optimization", "Mathematical Reasoning", "Visual Question Answering",
    "Pose Estimation", "Depth Estimation", "Image Retrieval", "Entity Linking", "Relation Extraction",
    "Named Entity Recognition", "Sentiment Analysis", "Speech Synthesis", "Audio Generation",
    "Motion Planning", "Imitation Learning", "Inverse Reinforcement Learning", "Offline RL",
    "Drug Discovery", "Medical Image Segmentation", "Autonomous Driving", "3D Reconstruction",
    "Novel View Synthesis", "Video Prediction", "Tabular Data", "Graph Classification",
    "Link Prediction", "Community Detection", "Density Estimation", "Clustering",
    "Few-Shot Classification", "Open-Vocabulary Detection", "Instruction Following",
    "Long-Horizon Planning", "Multi-Hop Reasoning", "Fact Verification", "Code Repair",
    "Data Augmentation", "Model Compression", "Knowledge Distillation", "Federated Optimization",
    "Differential Privacy", "Adversarial Robustness", "Out-of-Distribution Detection",
    "Uncertainty Quantification", "Model Calibration", "Preference Optimization",
]
SETTING = [
    "the Wild", "Low-Resource Languages", "Partially Observed Environments", "Sparse-Reward Tasks",
    "Non-Stationary Environments", "High Dimensions", "Large-Scale Settings", "Real Time",
    "Edge Devices", "Multi-Agent Systems", "Open-World Settings", "the Low-Data Regime",
    "Continuous Action Spaces", "Noisy Environments", "Medical Imaging", "Scientific Discovery",
    "100 Languages", "3D Scenes", "Long Videos", "Multiplayer Games", "Cities Without a Map",
]
PROPERTY = [
    "Convergence", "Robustness", "Expressivity", "Generalization", "Sample Complexity", "Role",
    "Limits", "Geometry", "Stability", "Calibration", "Implicit Bias", "Optimization Landscape",
    "Emergence", "Scaling Behavior", "Identifiability", "Memorization", "Sensitivity",
    "Effectiveness", "Inductive Biases", "Training Dynamics", "Loss Landscape",
]
VERB = [
    "Navigate", "Reason", "Plan", "Search", "Compress", "Communicate", "Generalize", "Optimize",
    "Explore", "Translate", "Segment", "Rank", "Predict", "Prompt", "Remember", "Forget",
    "Cooperate", "Infer", "Retrieve", "Align", "Ground", "Control", "Imitate", "Summarize",
]
GERUND = [
    "Scaling", "Improving", "Understanding", "Rethinking", "Revisiting", "Benchmarking",
    "Evaluating", "Training", "Distilling", "Pruning", "Accelerating", "Unifying", "Taming",
    "Exploiting", "Decoupling", "Approximating", "Learning", "Interpreting", "Stabilizing",
    "Regularizing", "Compressing", "Characterizing", "Measuring", "Probing", "Steering",
]
ARTIFACT = ["A Benchmark", "A Survey", "A Case Study", "A Tutorial", "A Unified View",
            "A Theoretical Analysis", "An Empirical Study", "A Simple Baseline", "Lessons Learned",
            "A Dataset and Benchmark", "A Position Paper", "Technical Report"]
KNOWN_METHODS = (
    "AlphaCode AutoML WaveNet PixelCNN AlphaZero MuZero FlashAttention LoRA BERT GPT-4 GPT-3 T5 "
    "CLIP ViT ResNet U-Net GAN VAE NeRF PPO DQN RLHF LLaMA PaLM Gopher Chinchilla Sparrow IMPALA "
    "Gemini Gemma Mamba RoBERTa ELECTRA XLNet DALL-E Imagen Parti Flamingo Perceiver AlphaFold "
    "AlphaGo DreamerV3 Gato MAML SimCLR BYOL DINO MoCo Word2Vec GloVe ELMo TF-Replicator Muesli "
    "Podracer StreetLearn RecurrentGemma Griffin Hawk Llama-2 Qwen2.5 DeepSeek-R1 Mixtral"
).split()
METHOD_PRE = (
    "Alpha Auto Deep Meta Neuro Graph Mega Hyper Omni Flash Fast Open Tiny Turbo Sparse Long Any "
    "Mix Go Seg Dino Vision Speech Code Math Chem Bio Robo Sim Text Pix Voxel Point Mol Prot "
    "Retro Cross Self Uni Multi Ever Star Sky Deep Quant Zero Nano Giga"
).split()
METHOD_SUF = (
    "Code Net Former Fold Star Zero GPT Diff Mamba Bench Nav Gen Coder Mind Flow Vision Speech "
    "Chat Math Agent World Proof Geometry Search Plan Seg Mix Tune Align Prompt Fusion Gate Cast "
    "Map Bot Lens Scope Forge Pilot Loop Track Graph Field Sense"
).split()
ACRONYM_CHARS = "ABCDEFGHIJKLMNOPRSTUVW"
ACRONYMS = (
    "NLP GAN RL LLM LLMs VAE GNN RNN CNN MLP ASR TTS NER QA VQA OCR SLAM MCTS SGD RLHF DPO "
    "MoE SSM KV ODE PDE MDP POMDP KL SVD PCA GPU TPU"
).split()
TEX = [r"$\texttt{t5x}$", r"$\texttt{seqio}$", r"$k$-Means", r"$\ell_1$", r"$\ell_2$",
       r"$\mathcal{O}(n \log n)$", r"$(1+1)$", r"$\epsilon$-Greedy", r"$Q$-Learning",
       r"$\texttt{jax}$", r"$\alpha$-Divergence", r"$n$-Gram", r"$\mathbb{R}^n$", r"$\texttt{vllm}$"]
SMALL = {"a", "an", "the", "of", "for", "with", "in", "on", "via", "and", "to", "from", "at",
         "by", "without", "under", "beyond", "towards", "is", "are", "all", "you", "need"}

# --------------------------------------------------------------------------- #
# Abstract vocabulary (sentences are built once per run, then sampled)
# --------------------------------------------------------------------------- #

A_NOUNS = [
    "representations", "language models", "policies", "agents", "neural networks", "transformers",
    "diffusion models", "graph neural networks", "reward models", "world models", "embeddings",
    "attention mechanisms", "optimizers", "classifiers", "generative models", "encoders",
    "decoders", "kernels", "priors", "latent variables", "value functions", "tokenizers",
    "retrievers", "planners", "controllers", "estimators", "recurrent networks",
    "vision-language models", "mixture-of-experts layers", "state space models", "ensembles",
    "autoencoders", "normalizing flows", "Gaussian processes", "spiking networks",
]
A_OBJ = [
    "long-range dependencies", "high-dimensional inputs", "noisy labels", "distribution shift",
    "sparse rewards", "rare events", "compositional structure", "uncertainty estimates",
    "fine-grained features", "multimodal inputs", "the training signal", "the inference cost",
    "memory requirements", "sample efficiency", "robustness to adversarial perturbations",
    "out-of-distribution generalization", "the credit assignment problem", "hierarchical structure",
    "temporal abstractions", "causal relationships", "long contexts", "the exploration problem",
    "catastrophic forgetting", "spurious correlations", "label noise", "the curse of dimensionality",
    "the bias-variance trade-off", "gradient variance", "the computational budget",
    "data scarcity", "domain gaps", "human preferences", "safety constraints", "factual errors",
    "hallucinations", "the quadratic cost of attention", "the optimization landscape",
]
A_FIELD = [
    "computer vision", "natural language processing", "reinforcement learning", "speech recognition",
    "robotics", "drug discovery", "weather forecasting", "recommendation systems",
    "computational biology", "autonomous driving", "machine translation", "program synthesis",
    "medical imaging", "materials science", "time series analysis", "information retrieval",
    "unsupervised learning", "continual learning", "federated learning", "scientific computing",
]
A_DATA = [
    "ImageNet", "CIFAR-10", "CIFAR-100", "COCO", "MNIST", "SQuAD", "GLUE", "SuperGLUE", "MMLU",
    "GSM8K", "HumanEval", "WikiText-103", "Penn TreeBank", "LibriSpeech", "Atari", "MuJoCo",
    "DMLab", "Procgen", "nuScenes", "KITTI", "ScanNet", "ShapeNet", "Kinetics-400", "MS MARCO",
    "BEIR", "WMT14 En-De", "OGB", "QM9", "D4RL", "Meta-World", "ALFWorld", "MATH", "ARC",
    "BIG-bench", "the long-range arena", "Montezuma's Revenge", "StarCraft II", "NetHack",
]
A_METRIC = ["accuracy", "BLEU", "F1", "perplexity", "return", "mAP", "FID", "top-1 accuracy",
            "word error rate", "success rate", "AUC", "calibration error", "throughput", "latency",
            "pass@1", "exact match", "sample efficiency", "wall-clock time"]
A_BASE = ["strong baselines", "prior methods", "the previous state of the art",
          "standard fine-tuning", "PPO", "SAC", "BERT", "GPT-2", "ResNet-50", "ViT-B/16", "LoRA",
          "truncated backpropagation through time", "Adam", "dense transformers", "beam search"]
A_VERB3 = ["improves", "reduces", "captures", "exploits", "models", "learns", "leverages",
           "approximates", "mitigates", "addresses", "scales to", "generalizes to", "handles",
           "decouples", "estimates", "preserves", "regularizes", "compresses"]
A_VERB = ["learn", "capture", "exploit", "model", "predict", "represent", "approximate",
          "reduce", "mitigate", "control", "estimate", "compress", "align", "discover"]
A_ADJ = ["efficient", "scalable", "robust", "simple", "general", "principled", "lightweight",
         "modular", "unified", "novel", "practical", "theoretically grounded", "data-efficient",
         "hierarchical", "differentiable", "probabilistic", "interpretable", "fast"]
A_METHOD_NOUN = ["method", "framework", "algorithm", "architecture", "objective", "model",
                 "training procedure", "benchmark", "estimator", "approach", "toolkit", "recipe"]

SENTENCE_TEMPLATES = [
    "We propose {M}, a {adj} {mn} for {field} that {v3} {obj}.",
    "Recent advances in {field} have shown that {n} can {v} {obj}.",
    "However, current {n} struggle with {obj}, which limits their practical applicability.",
    "In this paper, we {v} {obj} by combining {n} with {n2}.",
    "Our approach {v3} {obj} and {v3} {obj2} without requiring {obj3}.",
    "Experiments on {d}, {d2} and {d3} show that {M} improves {met} by {pct}% over {base}.",
    "We further show that {n} trained with our {mn} {v3} {obj}.",
    "Unlike prior work, our {mn} does not rely on {obj}.",
    "We also release {M}-{num}, a {adj} benchmark of {big} examples, to facilitate future research.",
    "Theoretically, we prove that the {mn} {v3} {obj} at a rate of $O(1/\\sqrt{{T}})$.",
    "Empirically, {M} achieves state-of-the-art results on {small} of {small2} benchmarks.",
    "Finally, we discuss the implications of {obj} for {field} and {field2}.",
    "To address this issue, we introduce {M}, which {v3} {obj} with a {adj} {mn}.",
    "This allows {n} to {v} {obj} at a fraction of the computational cost.",
    "We evaluate our approach on {d} and {d2}, where it matches {base} with {small}x fewer parameters.",
    "Our results suggest that {obj} is a key factor for {field}.",
    "{Field} is a fundamental problem, yet existing {n} often fail to {v} {obj}.",
    "A key challenge is that {n} must {v} {obj} while respecting {obj2}.",
    "We analyze {n} through the lens of {obj} and identify {small} failure modes.",
    "Ablation studies confirm that each component of {M} contributes to the final {met}.",
    "The resulting {n} deliver strong {met} on {d} ({pct}% relative improvement) and transfer to {d2}.",
    "Code and models are available at https://github.com/{user}/{repo}.",
    "We train {n} ranging from {small}M to {small2}B parameters on {big} tokens.",
    "Surprisingly, we find that {adj} {n} outperform much larger ones when {obj} is taken into account.",
    "Building on these insights, we design a {adj} {mn} that {v3} {obj} (see Section {small}).",
    "Human evaluation on {big} prompts shows that {M} is preferred {pct}% of the time.",
]
GITHUB_USERS = ["google-research", "deepmind", "facebookresearch", "openai", "microsoft",
                "huggingface", "amujika", "tensorflow", "pytorch", "allenai", "nvlabs", "salesforce"]


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #

def _zipf_cum(n: int, s: float = 0.9, q: float = 1.0) -> list[float]:
    return list(accumulate(1.0 / (i + q) ** s for i in range(n)))


def _strip_accents(s: str) -> str:
    table = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "Đ": "D", "ı": "i",
             "æ": "ae", "Æ": "AE"}
    s = "".join(table.get(c, c) for c in s)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _initial(given: str) -> str:
    """``Jean-Bastien`` -> ``J.-B.``, ``Danilo`` -> ``D.``, ``Hung-yi`` -> ``H.``."""
    parts = given.split("-")
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        return "-".join(p[0] + "." for p in parts)
    return given[0] + "."


class Pick:
    """Fast uniform and weighted choice driven by one ``random.Random``."""

    def __init__(self, rng):
        self.r = rng.random

    def one(self, seq):
        return seq[int(self.r() * len(seq))]

    def weighted(self, seq, cum):
        return seq[bisect(cum, self.r() * cum[-1])]


# --------------------------------------------------------------------------- #
# Generator
# --------------------------------------------------------------------------- #

class Generator:
    def __init__(self, n_records: int, seed: int, captured_on: dt.date):
        import random

        self.rng = random.Random(seed)
        self.pick = Pick(self.rng)
        self.captured_on = captured_on
        r = self.pick

        self.cat_codes = [c for c, _ in CATEGORIES]
        self.cat_cum = list(accumulate(w for _, w in CATEGORIES))
        years = list(range(FIRST_YEAR, LAST_FULL_YEAR + 1))
        self.years = years
        self.year_cum = list(accumulate(1.23 ** (y - FIRST_YEAR) for y in years))
        self.org_slugs = [s for s, _ in ORG_SLUGS]
        self.org_cum = list(accumulate(w for _, w in ORG_SLUGS))

        # name cultures: each list Zipf-weighted in its written order
        self.cultures = []
        for _w, given, gtail, p_gtail, sur, stail, p_stail, p_mid, mid_pool in CULTURES:
            self.cultures.append((given, _zipf_cum(len(given), 0.7, 2.0), gtail, p_gtail,
                                  sur, _zipf_cum(len(sur), 0.9, 1.5), stail, p_stail, p_mid,
                                  mid_pool or given, _zipf_cum(len(mid_pool or given), 0.7, 2.0)))
        self.culture_cum = list(accumulate(c[0] for c in CULTURES))

        # persons are materialised lazily; productivity is Zipf-Mandelbrot over rank
        # (about half of the persons who appear appear once, the most productive one
        # in ~0.1 % of the mentions)
        self.n_persons = max(300, int(n_records * 0.8))
        self.person_cum = _zipf_cum(self.n_persons, 1.1, 200.0)
        self.persons: list = [None] * self.n_persons

        # methods: fixed names + CamelCase compositions + random acronyms
        methods = list(KNOWN_METHODS)
        for pre in METHOD_PRE:
            for suf in METHOD_SUF:
                if pre != suf:
                    methods.append(pre + suf)
        for _ in range(800):  # IMPALA, HRED, ...
            methods.append("".join(r.one(ACRONYM_CHARS) for _ in range(3 + int(r.r() * 3))))
        self.methods = methods
        self.protect = set(methods) | set(ACRONYMS) | {"I", "II", "A"}

        self.sentences = self._sentence_pool(20000)
        self.sentence_lens = [len(s) + 1 for s in self.sentences]
        self.pool: list = []  # papers of earlier files, for re-listings

    # ----------------------------------------------------------------- text
    def _method(self) -> str:
        r = self.pick
        m = r.one(self.methods)
        u = r.r()
        if u < 0.10:
            m += r.one((" 2", " 3", "-2", " 1.5", " 2.5", "-XL", "++", "v2", " Pro", "-Lite"))
        return m

    def _sentence_pool(self, n: int) -> list[str]:
        r = self.pick
        out = []
        for _ in range(n):
            t = r.one(SENTENCE_TEMPLATES)
            field = r.one(A_FIELD)
            out.append(t.format(
                M=self._method(), adj=r.one(A_ADJ), mn=r.one(A_METHOD_NOUN), field=field,
                Field=field[0].upper() + field[1:], field2=r.one(A_FIELD), v3=r.one(A_VERB3),
                v=r.one(A_VERB), obj=r.one(A_OBJ), obj2=r.one(A_OBJ), obj3=r.one(A_OBJ),
                n=r.one(A_NOUNS), n2=r.one(A_NOUNS), d=r.one(A_DATA), d2=r.one(A_DATA),
                d3=r.one(A_DATA), met=r.one(A_METRIC), base=r.one(A_BASE),
                pct=f"{1 + int(r.r() * 40)}.{int(r.r() * 10)}", num=1 + int(r.r() * 9),
                big=f"{1 + int(r.r() * 900)}k", small=2 + int(r.r() * 30),
                small2=30 + int(r.r() * 100), user=r.one(GITHUB_USERS),
                repo=self._method().lower().replace(" ", "-").replace(".", ""),
            ))
        return out

    def abstract(self) -> str:
        r = self.pick
        sents, lens = self.sentences, self.sentence_lens
        n = len(sents)
        target = 920 + int(r.r() * 200)
        total = -1
        parts = []
        rr = r.r
        while total < target:
            i = int(rr() * n)
            parts.append(sents[i])
            total += lens[i]
        return " ".join(parts)

    def title(self) -> str:
        r = self.pick
        one = r.one
        u = r.r()
        a, a2, np_ = one(ADJ), one(ADJ), (one(NOUN_PHRASE) if r.r() < 0.4 else one(NOUN))
        t = one(TASK)
        if u < 0.16:
            s = f"{self._method()}: {a} {np_} for {t}"
        elif u < 0.26:
            s = f"{a} {a2} {np_} for {t}"
        elif u < 0.33:
            s = f"Towards {a} {t} with {a2} {one(NOUN)}"
        elif u < 0.40:
            s = f"On the {one(PROPERTY)} of {a} {np_} for {t}"
        elif u < 0.47:
            s = f"Learning to {one(VERB)} with {a} {np_} in {one(SETTING)}"
        elif u < 0.52:
            s = f"{a} {one(NOUN_PHRASE)} Are {a2} {one(NOUN)}"
        elif u < 0.60:
            s = f"{self._method()}: {one(GERUND)} {a} {np_} with {a2} {one(NOUN)}"
        elif u < 0.67:
            s = f"{a} {np_} via {a2} {one(NOUN)}"
        elif u < 0.71:
            s = f"{a}, {a2}, and {one(ADJ)} {np_} for {t}"
        elif u < 0.78:
            s = f"{one(GERUND)} {a} {np_} for {a2} {t}"
        elif u < 0.81:
            s = f"{self._method()} {one(('2', '3', '1.5', '2.5', '4'))}: {a} {a2} {np_} at Scale"
        elif u < 0.85:
            s = f"{one(GERUND)} {self._method()} for {a} {t}"
        elif u < 0.87:
            s = f"Is {a} {a2} {one(NOUN)} All You Need for {t}?"
        elif u < 0.90:
            s = f"{a} {np_} for {t}: {one(ARTIFACT)}"
        elif u < 0.92:
            s = f"Beyond {one(NOUN)}: {a} {np_} for {t}"
        elif u < 0.95:
            s = f"{a} {one(ACRONYMS)} for {t} in {one(SETTING)}"
        elif u < 0.97:
            s = f"{self._method()}: {a} {t} with {one(ACRONYMS)}s and {a2} {one(NOUN)}"
        else:
            s = f"{one(GERUND)} {a} {np_} with {self._method()}"
        v = r.r()
        if v < 0.01:
            s = f"{s} with {one(TEX)}" if r.r() < 0.5 else f"{one(TEX)} {s}"
        elif v < 0.05:
            s = f"{s} in {one(SETTING)}"
        if r.r() < 0.30:  # sentence case, as many arXiv titles are written
            words = s.split(" ")
            for i in range(1, len(words)):
                w = words[i]
                if w not in self.protect and w.istitle() and w[0].isalpha():
                    words[i] = w.lower()
            s = " ".join(words)
        if s[0].islower():
            s = s[0].upper() + s[1:]
        if s.count(" ") > 14:  # keep titles at 5-15 words
            return self.title()
        return s

    # ----------------------------------------------------------------- people
    def person(self, i: int):
        p = self.persons[i]
        if p is None:
            r = self.pick
            (given, gcum, gtail, p_gtail, sur, scum, stail, p_stail, p_mid, mids,
             mcum) = r.weighted(self.cultures, self.culture_cum)
            first = r.one(gtail) if r.r() < p_gtail else r.weighted(given, gcum)
            last = r.one(stail) if r.r() < p_stail else r.weighted(sur, scum)
            middle = r.weighted(mids, mcum) if r.r() < p_mid else None
            if middle == first or middle == last:
                middle = None
            u = r.r()
            if middle is None:
                canonical = f"{first} {last}"
            elif u < 0.55:
                canonical = f"{first} {_initial(middle)} {last}"
            elif u < 0.95:
                canonical = f"{first} {middle} {last}"
            else:  # H. Brendan McMahan
                canonical = f"{_initial(first)} {middle} {last}"
            p = self.persons[i] = (canonical, first, middle, last)
        return p

    def variant(self, p) -> str:
        """Another written form of the same person."""
        canonical, first, middle, last = p
        r = self.pick
        forms = []
        plain = _strip_accents(canonical)
        if plain != canonical:
            forms += [plain, plain]
        if middle:
            forms += [f"{first} {last}", f"{first} {_initial(middle)} {last}", f"{first} {middle} {last}"]
        forms.append(f"{_initial(first)} {last}")
        forms = [f for f in forms if f != canonical]
        return r.one(forms)

    def mention(self, i: int) -> str:
        p = self.persons[i] or self.person(i)
        if self.pick.r() < 0.10:
            return self.variant(p)
        return p[0]

    def draw_person(self) -> int:
        return bisect(self.person_cum, self.pick.r() * self.person_cum[-1])

    # ----------------------------------------------------------------- records
    def new_paper(self, owner: int, lab: list[int]):
        r = self.pick
        rr = r.r
        code = r.weighted(self.cat_codes, self.cat_cum)
        if rr() < 0.03:  # yearless: this year's, not after the capture day
            cap = self.captured_on
            d = dt.date(cap.year, 1, 1) + dt.timedelta(days=int(rr() * (cap.timetuple().tm_yday - 1)))
            year, month, day = None, d.month, d.day
        else:
            year = r.weighted(self.years, self.year_cum)
            month = 1 + int(rr() * 12)
            ndays = MONTH_DAYS[month - 1] + (month == 2 and year % 4 == 0)
            day = 1 + int(rr() * ndays)
        has_code = rr() < 0.10
        u = rr()
        if u < 0.60:
            n_shown, et_al = 3, True
        else:
            n_shown, et_al = (1 if u < 0.72 else 2 if u < 0.86 else 3), False
        ids: list[int] = []
        group = None
        if rr() < 0.004:
            group = r.one(GROUP_AUTHORS)
            n_shown -= 1 if n_shown > 1 else 0
        if rr() < 0.30:
            ids.append(owner)
        tries = 0
        while len(ids) < n_shown and tries < 20:
            tries += 1
            i = r.one(lab) if rr() < 0.4 else self.draw_person()
            if i not in ids:
                ids.append(i)
        if len(ids) > 1 and rr() < 0.5:  # the owner is not always first
            j = int(rr() * len(ids))
            ids[0], ids[j] = ids[j], ids[0]
        names = [self.mention(i) for i in ids]
        if group is not None:
            names.insert(0, group)
            ids.insert(0, -1)
            if len(names) == 1 and group in ("OpenAI", "DeepSeek-AI", "MiniMax"):
                et_al = False
        orgs = ()
        if rr() < 0.15:
            k = 1 if rr() < 0.6 else 2 if rr() < 0.85 else 3
            orgs = tuple(dict.fromkeys(r.weighted(self.org_slugs, self.org_cum) for _ in range(k)))
        return [code, year, month, day, has_code, self.title(), ids, names, et_al, orgs, self.abstract()]

    @staticmethod
    def render(p) -> str:
        code, year, month, day, has_code, title, _ids, names, et_al, orgs, abstract = p
        date = f"{MONTHS[month - 1]} {day}" if year is None else f"{MONTHS[month - 1]} {day}, {year}"
        return "".join((
            code, date, "Code" if has_code else "", "\n",
            title, ", ".join(names), " et al." if et_al else "",
            (" · " + ", ".join(orgs)) if orgs else "", "\n",
            abstract, "\n",
        ))

    def relist(self, p):
        """The same paper as another profile shows it."""
        r = self.pick
        u = r.r()
        q = list(p)
        if u < 0.55:
            return q  # byte-identical
        if u < 0.70:
            q[4] = not q[4]  # badge differs
        elif u < 0.85:
            orgs = list(q[9])
            if orgs and r.r() < 0.4:
                orgs.pop(int(r.r() * len(orgs)))
            else:
                orgs.append(r.weighted(self.org_slugs, self.org_cum))
            q[9] = tuple(dict.fromkeys(orgs))
        elif u < 0.96:
            slots = [k for k, i in enumerate(q[6]) if i >= 0]
            if slots:
                k = r.one(slots)
                names = list(q[7])
                names[k] = self.variant(self.person(q[6][k]))
                q[7] = names
        elif q[1] is not None:  # another version's date, a few days off
            d = dt.date(q[1], q[2], q[3]) + dt.timedelta(days=int(r.r() * 21) - 10)
            if FIRST_YEAR <= d.year <= LAST_FULL_YEAR:
                q[1], q[2], q[3] = d.year, d.month, d.day
        return q

    def bad(self, kind: str, owner: int, lab: list[int]) -> str:
        r = self.pick
        if kind == "junk":
            return r.one(JUNK_LINES) + "\n"
        p = self.new_paper(owner, lab)
        text = self.render(p)
        if kind == "noabs":
            return text[: text.rindex("\n", 0, len(text) - 1) + 1]
        if kind == "nodate":
            return text[text.index("\n") + 1:]
        # baddate
        month, day = r.one(((2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31), (2, 29)))
        year = r.one((2013, 2017, 2019, 2021, 2022, 2023))
        yearless = r.r() < 0.2 and (month, day) != (2, 29)
        date = f"{MONTHS[month - 1]} {day}" + ("" if yearless else f", {year}")
        return f"{p[0]}{date}{'Code' if p[4] else ''}" + text[text.index("\n"):]

    def file_text(self, n: int, p_dup: float, relisted: set) -> tuple[str, dict, list]:
        r = self.pick
        rr = r.r
        owner = self.draw_person()
        lab = [owner] + [self.draw_person() for _ in range(40)]
        out: list[str] = []
        new = []
        stats = {"good": 0, "dup": 0, "bad": 0}
        prev_bad = True  # a bad record never starts a file nor follows another bad one
        pool = self.pool
        for _ in range(n):
            u = rr()
            if u < 0.005 and not prev_bad:
                v = rr()
                kind = "noabs" if v < 0.3 else "baddate" if v < 0.6 else "junk" if v < 0.8 else "nodate"
                out.append(self.bad(kind, owner, lab))
                stats["bad"] += 1
                prev_bad = True
                continue
            prev_bad = False
            if u < 0.005 + p_dup and pool:
                k = int(rr() * len(pool))
                if k not in relisted:
                    relisted.add(k)
                    out.append(self.render(self.relist(pool[k])))
                    stats["dup"] += 1
                    continue
            p = self.new_paper(owner, lab)
            if pool and rr() < 0.001:  # same title, a later version years apart: another paper
                old = pool[int(rr() * len(pool))]
                if old[1] is not None and old[1] + 2 <= LAST_FULL_YEAR:
                    p[5] = old[5]
                    p[1] = old[1] + 1 + int(rr() * (LAST_FULL_YEAR - old[1]))
            out.append(self.render(p))
            new.append(p)
            stats["good"] += 1
        return "".join(out), stats, new


def generate(n_records: int, out_dir: Path, n_files: int | None = None, seed: int = 0,
             captured_on: dt.date = dt.date(2026, 11, 23)) -> dict:
    t0 = time.perf_counter()
    if n_files is None:
        n_files = max(1, round(n_records / 5000))
    n_files = max(1, min(n_files, max(1, n_records)))
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.glob("profile_*.txt")):
        old.unlink()
    gen = Generator(n_records, seed, captured_on)
    rr = gen.pick.r
    base, extra = divmod(n_records, n_files)
    p_dup = min(0.3, 0.10 * n_files / (n_files - 1)) if n_files > 1 else 0.0
    pool_max = 30000
    totals = {"good": 0, "dup": 0, "bad": 0}
    n_bytes = 0
    for f in range(n_files):
        n = base + (1 if f < extra else 0)
        text, stats, new = gen.file_text(n, p_dup if f else 0.0, set())
        for k in totals:
            totals[k] += stats[k]
        if rr() < 0.05:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if rr() < 0.03:
            data = b"\xef\xbb\xbf" + data
        with open(out_dir / f"profile_{f:05d}.txt", "wb", buffering=1 << 20) as fh:
            fh.write(data)
        n_bytes += len(data)
        gen.pool.extend(new)
        if len(gen.pool) > pool_max:
            del gen.pool[: len(gen.pool) - pool_max]
    seconds = time.perf_counter() - t0
    return {"records": n_records, "files": n_files, "bytes": n_bytes, "seconds": seconds,
            "new_papers": totals["good"], "relisted": totals["dup"], "bad": totals["bad"],
            "persons_used": sum(p is not None for p in gen.persons)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of records")
    ap.add_argument("out", type=Path, help="output directory")
    ap.add_argument("--files", type=int, default=None, help="number of files (default: ~1 per 5,000 records)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--captured-on", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23),
                    help="capture day that yearless dates belong to (default 2026-11-23)")
    a = ap.parse_args(argv)
    if a.n < 0:
        ap.error("N must be >= 0")
    s = generate(a.n, a.out, a.files, a.seed, a.captured_on)
    print(f"generated {s['records']:,} records ({s['new_papers']:,} new, {s['relisted']:,} re-listed, "
          f"{s['bad']:,} bad) in {s['files']:,} files, {s['bytes']:,} bytes, "
          f"{s['seconds']:.2f} s -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
