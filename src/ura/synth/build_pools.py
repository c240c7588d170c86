"""Build ``data/name_pools.json``: the name pools the generator samples from.

This is a developer tool, run by hand when the curated lists change; the generator itself
only reads the JSON it writes and never the source files. Usage::

    python -m ura.synth.build_pools /work/shared/data/names src/ura/synth/data/name_pools.json

The lists below are common given and family names of each nationality Ura sees, written from
general knowledge, most common first (the generator gives them a skewed, Zipf-like frequency
from that order). For every name the builder looks up, in the Wikidata and Google
transliteration files (CC0 and Apache-2.0 name *forms*, not people), its Arabic-script form,
its Russian Cyrillic form and the other Latin spellings that share its Arabic form (ahmed /
ahmad / ahmet), keeping only pairs seen at least twice and spellings close to the name.
"""

# ruff: noqa: RUF001 -- Cyrillic letters are data here (transliteration tables), not look-alikes

from __future__ import annotations

import difflib
import json
import sys
from collections import defaultdict
from pathlib import Path

# name | Latin variants written by hand | Turkish orthography (optional)
# A leading "Al-" marks an Arabic article; the root is looked up and "ال" prefixed.
_ARAB_MALE = (
    "Mohammad|Mohammed,Muhammad,Mohamed|Muhammed",
    "Ahmad|Ahmed|Ahmet",
    "Ali||Ali",
    "Mahmoud|Mahmud|Mahmut",
    "Khaled|Khalid|Halit",
    "Omar|Umar|Ömer",
    "Hussein|Husein,Hussain|Hüseyin",
    "Hassan|Hasan|Hasan",
    "Abdullah|Abdallah|Abdullah",
    "Ibrahim|Ebrahim|İbrahim",
    "Youssef|Yusuf,Yousef|Yusuf",
    "Mustafa|Mostafa|Mustafa",
    "Abdulrahman|Abdelrahman|Abdurrahman",
    "Bilal||Bilal",
    "Hamza||Hamza",
    "Walid|Waleed|Velid",
    "Samer|Samir|Samir",
    "Rami|Ramy|Rami",
    "Tarek|Tariq|Tarık",
    "Ammar||Ammar",
    "Saleh|Salih|Salih",
    "Jamal|Gamal|Cemal",
    "Karim|Kareem|Kerim",
    "Majid|Majed|Mecit",
    "Nabil|Nabeel|Nebil",
    "Adel|Adil|Adil",
    "Fadi|Fady|Fadi",
    "Yasser|Yasir|Yasir",
    "Anas||Enes",
    "Osama|Usama|Usame",
)
_ARAB_FEMALE = (
    "Fatima|Fatma|Fatma",
    "Aisha|Aysha|Ayşe",
    "Maryam|Mariam|Meryem",
    "Zainab|Zeinab|Zeynep",
    "Noor|Nour|Nur",
    "Rania|Ranya|Rania",
    "Hala||Hala",
    "Layla|Laila,Leila|Leyla",
    "Amal||Amal",
    "Huda|Houda|Hüda",
    "Salma||Selma",
    "Yasmin|Yasmine|Yasemin",
    "Rana||Rana",
    "Samira|Sameera|Semira",
    "Khadija|Khadeeja|Hatice",
    "Hiba|Heba|Hiba",
    "Lina||Lina",
    "Reem|Rim|Rim",
    "Asma|Asmaa|Esma",
    "Sara|Sarah|Sare",
)
_SYR_FAMILY = (
    "Al-Ahmad|Alahmad,Al-Ahmed|El Ahmet",
    "Al-Hassan|Alhassan|El Hasan",
    "Al-Ali|Alali|El Ali",
    "Al-Mohammad|Almohammad|El Muhammed",
    "Al-Hussein|Alhussein|El Hüseyin",
    "Al-Khalil|Alkhalil|El Halil",
    "Haddad|Hadad|Haddat",
    "Hamdan||Hamdan",
    "Al-Abdullah|Alabdullah|El Abdullah",
    "Al-Saleh|Alsaleh|Es Salih",
    "Al-Omar|Alomar|El Ömer",
    "Darwish|Darvish|Derviş",
    "Najjar|Nadjar|Neccar",
    "Khatib|Al-Khatib|Hatip",
    "Al-Issa|Alissa|El İsa",
    "Al-Masri|Masri|El Mısri",
    "Halabi|Al-Halabi|Halebi",
    "Kurdi|Al-Kurdi|Kürdi",
    "Sabbagh|Sabagh|Sabbağ",
    "Hamoud|Hammoud|Hamud",
)
_IRQ_FAMILY = (
    "Al-Jubouri|Jubouri,Al-Jaburi|El Cuburi",
    "Al-Dulaimi|Dulaimi|Ed Duleymi",
    "Al-Obaidi|Obaidi|El Ubeydi",
    "Al-Tamimi|Tamimi|Et Temimi",
    "Al-Saadi|Saadi|Es Sadi",
    "Al-Shammari|Shammari|Eş Şemmeri",
    "Al-Rubaie|Rubaie|Er Rubai",
    "Al-Zubaidi|Zubaidi|Ez Zubeydi",
    "Al-Hashimi|Hashimi|El Haşimi",
    "Al-Hussein|Alhussein|El Hüseyin",
    "Al-Ali|Alali|El Ali",
    "Al-Kubaisi|Kubaisi|El Kubeysi",
    "Mahmoud|Mahmud|Mahmut",
    "Khalil|Khaleel|Halil",
)
_IRN_MALE = (
    "Mohammad|Mohammed,Muhammad|Muhammed",
    "Ali||Ali",
    "Hossein|Hussein,Hosein|Hüseyin",
    "Reza|Rida|Rıza",
    "Mehdi|Mahdi|Mehdi",
    "Amir||Emir",
    "Hamid|Hameed|Hamit",
    "Mohammadreza|Mohammad Reza|Muhammedrıza",
    "Saeed|Said,Saeid|Sait",
    "Majid|Majed|Mecit",
    "Morteza|Murtaza|Murtaza",
    "Ahmad|Ahmed|Ahmet",
    "Hassan|Hasan|Hasan",
    "Javad|Jawad|Cevat",
    "Mostafa|Mustafa|Mustafa",
    "Abbas||Abbas",
    "Behrouz|Behruz|Behruz",
    "Farhad||Ferhat",
)
_IRN_FEMALE = (
    "Fatemeh|Fatima,Fatemah|Fatma",
    "Zahra|Zehra|Zehra",
    "Maryam|Mariam|Meryem",
    "Masoumeh|Masoume|Masume",
    "Zeynab|Zainab|Zeynep",
    "Sara|Sarah|Sare",
    "Narges|Nargis|Nergis",
    "Leila|Layla|Leyla",
    "Somayeh|Sumaya|Sümeyye",
    "Maedeh|Maede|Maide",
    "Parisa||Parisa",
    "Shirin|Sherin|Şirin",
)
_IRN_FAMILY = (
    "Mohammadi|Mohamadi|Muhammedi",
    "Hosseini|Husseini|Hüseyni",
    "Ahmadi|Ahmedi|Ahmedi",
    "Rezaei|Rezai|Rızai",
    "Moradi|Muradi|Muradi",
    "Karimi|Kerimi|Kerimi",
    "Rahimi|Raheemi|Rahimi",
    "Jafari|Jaafari|Caferi",
    "Mousavi|Musavi|Musevi",
    "Ghasemi|Qasemi|Kasımi",
    "Hashemi|Hashimi|Haşimi",
    "Sadeghi|Sadeqi|Sadıki",
    "Najafi||Necefi",
    "Heidari|Haidari|Haydari",
)
_AFG_MALE = (
    "Mohammad|Mohammed,Muhammad|Muhammed",
    "Ahmad|Ahmed|Ahmet",
    "Abdul|Abdol|Abdul",
    "Ali||Ali",
    "Mahmood|Mahmud|Mahmut",
    "Hamid|Hameed|Hamit",
    "Rahim|Raheem|Rahim",
    "Karim|Kareem|Kerim",
    "Gul|Gol|Gül",
    "Nasir|Naser|Nasır",
    "Farid|Fareed|Ferit",
    "Jawad|Javad|Cevat",
    "Sayed|Sayyid,Said|Seyit",
    "Rahmatullah|Rahmatulla|Rahmetullah",
    "Najibullah|Najibulla|Necibullah",
    "Zabihullah|Zabiullah|Zebihullah",
    "Mustafa|Mostafa|Mustafa",
    "Wahid|Waheed|Vahit",
    "Noor|Nur|Nur",
    "Ismail|Esmail|İsmail",
)
_AFG_FEMALE = (
    "Fatima|Fatema|Fatma",
    "Zahra|Zehra|Zehra",
    "Maryam|Mariam|Meryem",
    "Shabana||Şebane",
    "Farzana|Farzaneh|Ferzane",
    "Nargis|Narges|Nergis",
    "Parwana|Parvaneh|Pervane",
    "Sima|Seema|Sima",
    "Freshta|Fereshteh|Firişte",
    "Nazia|Naziya|Naziye",
    "Laila|Layla|Leyla",
    "Roya|Ruya|Rüya",
)
_AFG_FAMILY = (
    "Ahmadi|Ahmedi|Ahmedi",
    "Mohammadi|Mohamadi|Muhammedi",
    "Rahimi|Raheemi|Rahimi",
    "Karimi|Kerimi|Kerimi",
    "Hashimi|Hashemi|Haşimi",
    "Sultani|Soltani|Sultani",
    "Amiri|Ameeri|Emiri",
    "Noori|Nuri|Nuri",
    "Rezaei|Rezai|Rızai",
    "Hakimi|Hakeemi|Hakimi",
    "Stanikzai|Stanekzai|Stanikzay",
    "Ahmadzai|Ahmadzay|Ahmedzay",
    "Safi||Safi",
    "Wardak|Wardag|Vardak",
    "Sadat|Saadat|Sadat",
    "Haidari|Haideri|Haydari",
    "Jalali|Djalali|Celali",
)
_PAK_MALE = (
    "Muhammad|Mohammad,Mohammed|Muhammed",
    "Ali||Ali",
    "Ahmed|Ahmad|Ahmet",
    "Hassan|Hasan|Hasan",
    "Usman|Osman|Osman",
    "Bilal||Bilal",
    "Imran|Emran|İmran",
    "Asif|Aasif|Asif",
    "Tariq|Tarik|Tarık",
    "Kamran||Kamran",
    "Zubair|Zubayr|Zübeyr",
    "Waqas|Waqqas|Vakkas",
    "Faisal|Faysal|Faysal",
    "Shahid|Shaheed|Şahit",
    "Adnan||Adnan",
)
_PAK_FEMALE = (
    "Ayesha|Aisha|Ayşe",
    "Fatima|Fatma|Fatma",
    "Sana||Sena",
    "Hina|Heena|Hina",
    "Sadia|Saadia|Sadiye",
    "Amna|Amina|Amine",
    "Rabia|Rabiya|Rabia",
    "Nadia|Nadiya|Nadiye",
    "Saima|Saimah|Saime",
    "Bushra|Bushara|Büşra",
)
_PAK_FAMILY = (
    "Khan||Han",
    "Ahmed|Ahmad|Ahmet",
    "Ali||Ali",
    "Hussain|Hussein|Hüseyin",
    "Shah||Şah",
    "Malik|Malick|Malik",
    "Butt|But|But",
    "Iqbal|Ikbal|İkbal",
    "Qureshi|Kureshi|Kureyşi",
    "Chaudhry|Chaudhary|Çaudri",
    "Raza|Reza|Rıza",
    "Akhtar|Akhter|Ahtar",
    "Javed|Javaid|Cavit",
    "Aslam|Aslaam|Aslam",
    "Bhatti|Bhati|Bhatti",
)
_TKM_MALE = (
    "Merdan||Merdan",
    "Serdar||Serdar",
    "Batyr|Batir|Batır",
    "Dovlet|Dowlet|Devlet",
    "Myrat|Murat|Murat",
    "Aman||Aman",
    "Bayram|Bairam|Bayram",
    "Rustam|Rustem|Rüstem",
    "Maksat|Maksad|Maksat",
    "Begench|Begenc|Begenç",
    "Arslan|Arslaan|Arslan",
)
_TKM_FEMALE = (
    "Ogulgerek|Ogulgerek|Oğulgerek",
    "Aynur|Ainur|Aynur",
    "Jeren|Dzheren|Ceren",
    "Maya|Maia|Maya",
    "Gulshat|Gulshad|Gülşat",
    "Aygul|Aigul|Aygül",
    "Bahar||Bahar",
    "Selbi||Selbi",
)
_TKM_FAMILY = (
    "Orazov|Orazow|Orazov",
    "Annayev|Annaev|Annayev",
    "Berdiyev|Berdiev|Berdiyev",
    "Myradov|Muradov|Muradov",
    "Hojayev|Khodzhaev|Hocayev",
    "Atayev|Ataev|Atayev",
    "Gurbanov|Kurbanov|Kurbanov",
    "Nurmuhammedov|Nurmukhamedov|Nurmuhammedov",
    "Amanov||Amanov",
    "Charyyev|Charyev|Çaryyev",
)
_UZB_MALE = (
    "Jasur|Dzhasur|Cesur",
    "Bekzod|Bekzad|Bekzat",
    "Sardor|Sardar|Serdar",
    "Otabek|Atabek|Atabek",
    "Aziz||Aziz",
    "Rustam|Rustem|Rüstem",
    "Dilshod|Dilshad|Dilşat",
    "Shavkat|Shawkat|Şevket",
    "Akmal||Ekmel",
    "Sherzod|Sherzad|Şerzat",
    "Umid||Ümit",
    "Farrukh|Farukh|Ferruh",
)
_UZB_FEMALE = (
    "Dilnoza|Dilnaza|Dilnaza",
    "Gulnora|Gulnara|Gülnara",
    "Malika|Malikah|Melike",
    "Nodira|Nadira|Nadire",
    "Zarina||Zerine",
    "Shahnoza|Shakhnoza|Şahnaza",
    "Mohira|Mokhira|Mahire",
    "Feruza|Firuza|Firuze",
)
_UZB_FAMILY = (
    "Karimov||Kerimov",
    "Rakhimov|Rahimov|Rahimov",
    "Yusupov|Yusufov|Yusupov",
    "Usmonov|Usmanov|Osmanov",
    "Abdullayev|Abdullaev|Abdullayev",
    "Ismoilov|Ismailov|İsmailov",
    "Saidov|Sayidov|Saidov",
    "Nazarov||Nazarov",
    "Tursunov||Tursunov",
    "Mirzayev|Mirzaev|Mirzayev",
    "Aliyev|Aliev|Aliyev",
    "Tashkentov|Toshkentov|Taşkentov",
)
_GEO_MALE = (
    "Giorgi|Georgi|Giorgi",
    "Davit|David|Davit",
    "Levan|Levani|Levan",
    "Irakli|Irakliy|İrakli",
    "Nika|Nikoloz|Nika",
    "Zurab|Zurabi|Zurab",
    "Lasha||Laşa",
    "Luka||Luka",
    "Mikheil|Mikhail|Mikail",
    "Aleksandre|Alexander|Aleksandre",
)
_GEO_FEMALE = (
    "Nino||Nino",
    "Tamar|Tamara|Tamar",
    "Mariam|Mariami|Meryem",
    "Ana|Anna|Ana",
    "Eka|Ekaterine|Eka",
    "Natia||Natia",
    "Salome||Salome",
    "Ketevan|Keti|Ketevan",
)
_GEO_FAMILY = (
    "Beridze|Beridse|Beridze",
    "Kapanadze||Kapanadze",
    "Gelashvili|Gelaschwili|Gelaşvili",
    "Maisuradze||Maisuradze",
    "Giorgadze||Giorgadze",
    "Lomidze||Lomidze",
    "Tsiklauri|Ciklauri|Tsiklauri",
    "Bolkvadze||Bolkvadze",
    "Nozadze||Nozadze",
    "Mamedov|Mammadov|Memmedov",
    "Kvaratskhelia|Kvaratsxelia|Kvaratshelia",
)
_AZE_MALE = (
    "Elvin||Elvin",
    "Rashad|Rashid|Reşat",
    "Farid|Fariz|Ferit",
    "Tural||Tural",
    "Orkhan|Orhan|Orhan",
    "Elnur||Elnur",
    "Kamran||Kamran",
    "Vusal|Vugar|Vüsal",
    "Ali||Ali",
    "Huseyn|Huseyin,Hussein|Hüseyin",
    "Mammad|Mamed|Memmed",
)
_AZE_FEMALE = (
    "Aysel|Aisel|Aysel",
    "Leyla|Leila|Leyla",
    "Gunel|Gyunel|Günel",
    "Nigar||Nigar",
    "Sevinj|Sevinc|Sevinç",
    "Aynur|Ainur|Aynur",
    "Narmin|Narmina|Nermin",
    "Konul|Kenul|Könül",
)
_AZE_FAMILY = (
    "Mammadov|Mamedov,Mamadov|Memmedov",
    "Aliyev|Aliev|Aliyev",
    "Hasanov|Gasanov|Hasanov",
    "Huseynov|Guseinov,Huseinov|Hüseynov",
    "Guliyev|Kuliev,Quliyev|Kuliyev",
    "Ismayilov|Ismailov|İsmayılov",
    "Abbasov||Abbasov",
    "Rzayev|Rzaev|Rzayev",
    "Suleymanov|Suleimanov|Süleymanov",
    "Jafarov|Dzhafarov,Cafarov|Cafarov",
)
_RUS_MALE = (
    "Alexander|Aleksandr|Aleksandr",
    "Sergei|Sergey|Sergey",
    "Dmitry|Dmitri,Dmitriy|Dmitriy",
    "Andrei|Andrey|Andrey",
    "Alexei|Aleksey,Alexey|Aleksey",
    "Ivan||İvan",
    "Mikhail|Mikhael|Mihail",
    "Maxim|Maksim|Maksim",
    "Vladimir||Vladimir",
    "Nikolai|Nikolay|Nikolay",
    "Magomed|Magomet|Magomet",
    "Ruslan||Ruslan",
)
_RUS_FEMALE = (
    "Elena|Yelena|Yelena",
    "Olga||Olga",
    "Tatiana|Tatyana|Tatyana",
    "Natalia|Natalya|Natalya",
    "Anna||Anna",
    "Maria|Mariya|Mariya",
    "Irina||İrina",
    "Svetlana||Svetlana",
    "Ekaterina|Yekaterina|Yekaterina",
)
_RUS_FAMILY = (
    "Ivanov||İvanov",
    "Smirnov||Smirnov",
    "Kuznetsov|Kusnezow|Kuznetsov",
    "Popov||Popov",
    "Vasiliev|Vasilyev|Vasilyev",
    "Petrov||Petrov",
    "Sokolov||Sokolov",
    "Mikhailov|Mikhaylov|Mihaylov",
    "Novikov||Novikov",
    "Fedorov|Fyodorov|Fedorov",
    "Magomedov|Magometov|Magomedov",
    "Kadyrov|Kadirov|Kadirov",
)
_UKR_MALE = (
    "Oleksandr|Oleksander|Oleksandr",
    "Andriy|Andrii|Andriy",
    "Serhiy|Serhii|Serhiy",
    "Volodymyr||Volodimir",
    "Dmytro||Dmitro",
    "Mykola||Mikola",
    "Yuriy|Yurii|Yuriy",
    "Oleh|Oleg|Oleh",
    "Vasyl||Vasil",
    "Taras||Taras",
)
_UKR_FEMALE = (
    "Olena||Olena",
    "Tetiana|Tetyana|Tetyana",
    "Nataliya|Natalia|Nataliya",
    "Iryna||İrina",
    "Svitlana||Svitlana",
    "Oksana||Oksana",
    "Yuliya|Yulia|Yuliya",
    "Kateryna||Katerina",
    "Halyna|Galina|Halina",
)
_UKR_FAMILY = (
    "Melnyk|Melnik|Melnik",
    "Shevchenko|Schewtschenko|Şevçenko",
    "Boyko|Boiko|Boyko",
    "Kovalenko||Kovalenko",
    "Bondarenko||Bondarenko",
    "Tkachenko||Tkaçenko",
    "Kovalchuk|Kowaltschuk|Kovalçuk",
    "Kravchenko||Kravçenko",
    "Oliynyk|Oliinyk|Oliynik",
    "Shevchuk||Şevçuk",
    "Polishchuk||Polişçuk",
)
# Kosovo: the name as written in Albanian orthography; variants are ASCII spellings.
_XKX_MALE = (
    "Arben||Arben",
    "Besnik||Besnik",
    "Driton||Driton",
    "Fatmir||Fatmir",
    "Agron||Agron",
    "Bekim||Bekim",
    "Blerim||Blerim",
    "Valon||Valon",
    "Arianit||Arianit",
    "Ilir||İlir",
    "Granit||Granit",
    "Ardian|Adrian|Ardian",
    "Muhamet|Muhamed|Muhammet",
    "Xhevdet|Dzhevdet,Xhevded|Cevdet",
    "Shkëlzen|Shkelzen|Şkelzen",
    "Lulzim||Lulzim",
    "Faton||Faton",
)
_XKX_FEMALE = (
    "Arta||Arta",
    "Blerta||Blerta",
    "Drita||Drita",
    "Fatmire||Fatmire",
    "Vjosa||Vyosa",
    "Shqipe|Shqype|Şkipe",
    "Teuta||Teuta",
    "Albulena||Albulena",
    "Valentina||Valentina",
    "Besa||Besa",
    "Mimoza|Mimosa|Mimoza",
    "Zana||Zana",
    "Qëndresa|Qendresa|Çendresa",
    "Merita||Merita",
)
_XKX_FAMILY = (
    "Krasniqi|Krasnici|Krasniçi",
    "Gashi|Gasi|Gaşi",
    "Berisha|Beriša|Berişa",
    "Morina||Morina",
    "Shala|Šala|Şala",
    "Hoxha|Hodža,Hoxa|Hoca",
    "Bytyqi|Bytiqi|Bitiçi",
    "Kastrati||Kastrati",
    "Hasani||Hasani",
    "Rexhepi|Redžepi|Recepi",
    "Kryeziu|Krijeziu|Kryeziu",
    "Haliti||Haliti",
    "Ahmeti||Ahmeti",
    "Sylejmani|Sulejmani|Süleymani",
    "Hyseni|Huseni|Hüseyni",
    "Thaçi|Thaci,Tachi|Taçi",
    "Çeku|Ceku|Çeku",
)

#: Arabic-script spellings written by hand where the mined pairs have none or a wrong one
#: (Persian letters ی and ک for Afghan and Iranian names, as those registries write them).
HAND_ARABIC = {
    "Abdullah": "عبدالله",
    "Al-Ahmad": "الأحمد",
    "Najjar": "نجار",
    "Al-Jubouri": "الجبوري",
    "Al-Dulaimi": "الدليمي",
    "Al-Obaidi": "العبيدي",
    "Al-Shammari": "الشمري",
    "Al-Rubaie": "الربيعي",
    "Al-Kubaisi": "الكبيسي",
    "Rahmatullah": "رحمت‌الله",
    "Najibullah": "نجیب‌الله",
    "Zabihullah": "ذبیح‌الله",
    "Farzana": "فرزانه",
    "Parwana": "پروانه",
    "Freshta": "فرشته",
    "Nazia": "نازیه",
    "Roya": "رویا",
    "Stanikzai": "ستانکزی",
    "Ahmadzai": "احمدزی",
    "Wardak": "وردک",
    "Haidari": "حیدری",
    "Mohammadreza": "محمدرضا",
    "Masoumeh": "معصومه",
    "Maedeh": "مائده",
    "Parisa": "پریسا",
    "Saima": "صائمه",
    "Raza": "رضا",
    "Rahimi": "رحیمی",
    "Jalali": "جلالی",
    "Ghasemi": "قاسمی",
    "Amir": "امیر",
    "Behrouz": "بهروز",
    "Al-Zubaidi": "الزبيدي",
    "Javed": "جاوید",
    "Bhatti": "بھٹی",
    "Sana": "ثنا",
    "Hina": "حنا",
    "Imran": "عمران",
    "Al-Issa": "العيسى",
    "Al-Abdullah": "العبدالله",
    "Al-Masri": "المصري",
    "Khatib": "خطيب",
    "Kurdi": "كردي",
}

# Russian-style romanisation read backwards, for names the mined pairs lack in Cyrillic.
_TO_CYRILLIC = (
    ("shch", "щ"),
    ("sch", "ш"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "ё"),
    ("ye", "е"),
    ("iy", "ий"),
    ("j", "дж"),
    ("ə", "а"),
    ("ë", "е"),
    ("ç", "ч"),
    ("q", "к"),
    ("x", "кс"),
    ("w", "в"),
    ("a", "а"),
    ("b", "б"),
    ("c", "ц"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("y", "и"),
    ("z", "з"),
)


def to_cyrillic(latin: str) -> str:
    """A Latin name in Russian Cyrillic by greedy longest-match rules (fallback only)."""
    text = latin.lower()
    out: list[str] = []
    i = 0
    while i < len(text):
        for source, target in _TO_CYRILLIC:
            if text.startswith(source, i):
                out.append(target)
                i += len(source)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out).capitalize()


#: nationality (ISO 3166-1 alpha-3, XKX for Kosovo) -> (male, female, family) lists
CURATED: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SYR": (_ARAB_MALE, _ARAB_FEMALE, _SYR_FAMILY),
    "IRQ": (_ARAB_MALE, _ARAB_FEMALE, _IRQ_FAMILY),
    "AFG": (_AFG_MALE, _AFG_FEMALE, _AFG_FAMILY),
    "IRN": (_IRN_MALE, _IRN_FEMALE, _IRN_FAMILY),
    "PAK": (_PAK_MALE, _PAK_FEMALE, _PAK_FAMILY),
    "TKM": (_TKM_MALE, _TKM_FEMALE, _TKM_FAMILY),
    "UZB": (_UZB_MALE, _UZB_FEMALE, _UZB_FAMILY),
    "GEO": (_GEO_MALE, _GEO_FEMALE, _GEO_FAMILY),
    "AZE": (_AZE_MALE, _AZE_FEMALE, _AZE_FAMILY),
    "RUS": (_RUS_MALE, _RUS_FEMALE, _RUS_FAMILY),
    "UKR": (_UKR_MALE, _UKR_FEMALE, _UKR_FAMILY),
    "XKX": (_XKX_MALE, _XKX_FEMALE, _XKX_FAMILY),
}

_MIN_COUNT = 2
_MAX_VARIANTS = 6
_SIMILARITY = 0.6


def _read_pairs(
    names_dir: Path,
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Latin -> Arabic forms, Latin -> Cyrillic forms and Arabic -> Latin forms, with counts."""
    lat_ar: dict[str, dict[str, int]] = defaultdict(dict)
    lat_cy: dict[str, dict[str, int]] = defaultdict(dict)
    ar_lat: dict[str, dict[str, int]] = defaultdict(dict)
    for file_name, target in (
        ("wikidata_arabic_latin_train.tsv", lat_ar),
        ("wikidata_russian_latin_train.tsv", lat_cy),
    ):
        for line in (names_dir / file_name).read_text(encoding="utf-8").splitlines():
            latin, letters, count = line.split("\t")
            form = letters.replace(" ", "")
            target[latin][form] = target[latin].get(form, 0) + int(count)
            if target is lat_ar:
                ar_lat[form][latin] = ar_lat[form].get(latin, 0) + int(count)
    for file_name in ("google_arabic_latin_train.tsv", "google_arabic_latin_eval.tsv"):
        for line in (names_dir / file_name).read_text(encoding="utf-8").splitlines():
            arabic, latin = line.split("\t")
            # A Wikipedia-mined pair counts as two sightings: it is a curated title pair.
            lat_ar[latin][arabic] = lat_ar[latin].get(arabic, 0) + _MIN_COUNT
            ar_lat[arabic][latin] = ar_lat[arabic].get(latin, 0) + _MIN_COUNT
    return lat_ar, lat_cy, ar_lat


def _best(forms: dict[str, int]) -> tuple[str, int]:
    return max(forms.items(), key=lambda item: (item[1], item[0]), default=("", 0))


def _entry(
    spec: str,
    lat_ar: dict[str, dict[str, int]],
    lat_cy: dict[str, dict[str, int]],
    ar_lat: dict[str, dict[str, int]],
) -> dict[str, object]:
    """One name with its spellings: lat, tr (Turkish), var (Latin variants), ar, cy."""
    name, hand_variants, turkish = spec.split("|")
    article = name.startswith("Al-")
    root = name[3:] if article else name
    keys = [root.lower()] + [
        v.lower().removeprefix("al-") for v in hand_variants.split(",") if v and "ž" not in v
    ]
    arabic_counts: dict[str, int] = defaultdict(int)
    cyrillic_counts: dict[str, int] = defaultdict(int)
    for key in keys:
        for form, count in lat_ar.get(key, {}).items():
            arabic_counts[form] += count
        for form, count in lat_cy.get(key, {}).items():
            cyrillic_counts[form] += count
    arabic, arabic_count = _best(arabic_counts)
    cyrillic, cyrillic_count = _best(cyrillic_counts)
    if arabic_count < _MIN_COUNT:
        arabic = ""
    if cyrillic_count < _MIN_COUNT:
        cyrillic = ""
    variants: list[str] = [v for v in hand_variants.split(",") if v]
    if arabic:
        mined = sorted(ar_lat.get(arabic, {}).items(), key=lambda item: (-item[1], item[0]))
        for latin, count in mined:
            similar = difflib.SequenceMatcher(None, latin, root.lower()).ratio() >= _SIMILARITY
            if count >= _MIN_COUNT and latin.isascii() and latin.isalpha() and similar:
                spelled = latin.capitalize()
                if article:
                    spelled = "Al-" + spelled
                if spelled != name and spelled not in variants:
                    variants.append(spelled)
    if article and arabic:
        arabic = "ال" + arabic
    arabic = HAND_ARABIC.get(name, arabic)
    if not cyrillic:
        cyrillic = to_cyrillic(root)
    return {
        "lat": name,
        "tr": turkish or name,
        "var": variants[:_MAX_VARIANTS],
        "ar": arabic,
        "cy": cyrillic.capitalize(),
    }


def build(names_dir: Path) -> dict[str, object]:
    """The JSON document: a list of distinct names and, per nationality, three pools of
    indices into it (male given names, female given names, family names), in rank order."""
    lat_ar, lat_cy, ar_lat = _read_pairs(names_dir)
    names: list[dict[str, object]] = []
    index: dict[str, int] = {}
    pools: dict[str, dict[str, list[int]]] = {}
    for nationality, lists in CURATED.items():
        pool: dict[str, list[int]] = {}
        for kind, specs in zip(("male", "female", "family"), lists, strict=True):
            indices: list[int] = []
            for spec in specs:
                if spec not in index:
                    index[spec] = len(names)
                    names.append(_entry(spec, lat_ar, lat_cy, ar_lat))
                indices.append(index[spec])
            pool[kind] = indices
        pools[nationality] = pool
    return {
        "provenance": (
            "Curated common given and family names per nationality (Ura contributors, "
            "Apache-2.0). Arabic-script (ar) and Cyrillic (cy) forms and mined Latin variants "
            "from Wikidata name-transliteration pairs (NETransliteration-COLING2018, CC0) and "
            "Google transliteration ar2en (Apache-2.0). Name forms, not people."
        ),
        "names": names,
        "pools": pools,
    }


def main(argv: list[str] | None = None) -> None:
    """Write the pools JSON: ``build_pools NAMES_DIR OUT_JSON``."""
    args = sys.argv[1:] if argv is None else argv
    names_dir, out = Path(args[0]), Path(args[1])
    document = build(names_dir)
    out.write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
