//! The finished example map "Igor, 45, buys a fridge": a retailer's journey
//! map after a round of research, showing every feature of a board — two
//! personas, stage descriptions and metrics, touchpoint channels, evidence
//! next to hypotheses, as-is and to-be emotion curves, and opportunities
//! linked to the pains they address. Some pains are left unaddressed and one
//! opportunity has no owner, so that the health panel has something to say.

use std::collections::HashMap;

use super::{Builder, Tr};
use crate::ids::CardId;
use crate::model::{
    Channel, Color, Curve, Evidence, EvidenceSource, LaneKind, Num, Opportunity, OpportunityStatus,
    StageMetric,
};

use Channel::*;
use EvidenceSource::*;
use OpportunityStatus::*;

// Personas, stages and lanes by position in the tables below.
const IGOR: usize = 0;
const MARINA: usize = 1;

const AW: usize = 0;
const CO: usize = 1;
const DE: usize = 2;
const PU: usize = 3;
const DL: usize = 4;
const US: usize = 5;

const ACT: usize = 0;
const THO: usize = 1;
const TP: usize = 2;
const PAIN: usize = 4;
const BACK: usize = 5;
const OPP: usize = 6;

const LANES: [(Tr, LaneKind); 7] = [
    (("Actions", "Действия"), LaneKind::Actions),
    (("Thoughts", "Мысли"), LaneKind::Thoughts),
    (("Touchpoints", "Точки контакта"), LaneKind::Touchpoints),
    (("Emotions", "Эмоции"), LaneKind::Emotions),
    (("Pains", "Боли"), LaneKind::Pains),
    (("Backstage", "Внутренние процессы"), LaneKind::Backstage),
    (("Opportunities", "Возможности"), LaneKind::Opportunities),
];

/// A stage figure: name, value, unit, target, higher is better.
type Metric = (Tr, f64, Tr, Option<f64>, bool);

const NO_UNIT: Tr = ("", "");
const PCT: Tr = ("%", "%");

const STAGES: [(Tr, Tr, &[Metric]); 6] = [
    (
        ("Awareness", "Осведомлённость"),
        (
            "Igor's twelve-year-old fridge starts failing and a repair isn't worth it: the family has to replace it within two weeks.",
            "Двенадцатилетний холодильник Игоря начинает сдавать, а ремонт не оправдан: семье нужно заменить его за две недели.",
        ),
        &[(("Reach", "Охват"), 120_000.0, NO_UNIT, None, true)],
    ),
    (
        ("Consideration", "Рассмотрение"),
        (
            "Igor and Marina compare models, sizes and prices on the website, marketplaces and video reviews, and measure the kitchen.",
            "Игорь и Марина сравнивают модели, размеры и цены на сайте, маркетплейсах и в видеообзорах, замеряют кухню.",
        ),
        &[(
            ("Site conversion", "Конверсия сайта"),
            4.1,
            PCT,
            Some(5.0),
            true,
        )],
    ),
    (
        ("Decision", "Решение"),
        (
            "Two finalists. The couple looks at them in the store and chooses where to buy: price, delivery terms and trust decide.",
            "Два финалиста. Пара смотрит их в магазине и выбирает, где покупать: решают цена, условия доставки и доверие.",
        ),
        &[
            (("NPS", "NPS"), 32.0, NO_UNIT, Some(45.0), true),
            (
                ("Average wait on the line", "Среднее ожидание на линии"),
                11.0,
                ("min", "мин"),
                Some(2.0),
                false,
            ),
        ],
    ),
    (
        ("Purchase", "Покупка"),
        (
            "Online checkout with paid lifting, installation and removal of the old fridge; paid in instalments.",
            "Оформление заказа на сайте с платным подъёмом, подключением и вывозом старого холодильника; оплата в рассрочку.",
        ),
        &[(
            ("Cart drop-off", "Брошенные корзины"),
            60.0,
            PCT,
            Some(40.0),
            false,
        )],
    ),
    (
        ("Delivery & installation", "Доставка и установка"),
        (
            "The fridge is delivered, carried up to the fifth floor, inspected and connected; the old one should be taken away.",
            "Холодильник привозят, поднимают на пятый этаж, осматривают и подключают; старый должны вывезти.",
        ),
        &[(
            ("On-time delivery", "Доставка в срок"),
            82.0,
            PCT,
            Some(95.0),
            true,
        )],
    ),
    (
        ("Usage", "Использование"),
        (
            "The first weeks with the new fridge: settings, the app, the warranty, a review — and whether they would buy here again.",
            "Первые недели с новым холодильником: настройки, приложение, гарантия, отзыв — и купят ли здесь снова.",
        ),
        &[(
            ("Repeat purchase", "Повторные покупки"),
            18.0,
            PCT,
            Some(25.0),
            true,
        )],
    ),
];

struct PersonaText {
    name: Tr,
    age: u16,
    color: Color,
    role: Tr,
    quote: Tr,
    goals: Tr,
    needs: Tr,
    pains: Tr,
    fears: Tr,
    expectations: Tr,
    about: Tr,
}

const PERSONAS: [PersonaText; 2] = [
    PersonaText {
        name: ("Igor", "Игорь"),
        age: 45,
        color: Color::Blue,
        role: ("Engineer, father of two", "Инженер, отец двоих детей"),
        quote: (
            "I don't mind paying a bit more. I do mind losing a Saturday waiting for a delivery that never comes.",
            "Я готов немного переплатить. Но не готов потерять субботу в ожидании доставки, которая так и не приедет.",
        ),
        goals: (
            "Replace the failing fridge within two weeks, before food starts to spoil; buy a model that will last ten years or more.",
            "Заменить сломавшийся холодильник за две недели, пока не начали портиться продукты; купить модель, которая прослужит лет десять, а то и больше.",
        ),
        needs: (
            "Honest specs (real noise level, energy class, dimensions with the door open), a precise delivery window, installation and removal of the old fridge in one visit.",
            "Честные характеристики (реальный уровень шума, класс энергопотребления, габариты с открытой дверью), точное окно доставки, подключение и вывоз старого холодильника за один визит.",
        ),
        pains: (
            "Dozens of near-identical models; reviews he can't trust; different prices online and in store; delivery windows of “9 am to 9 pm”.",
            "Десятки почти одинаковых моделей; отзывам нельзя доверять; цены на сайте и в магазине расходятся; окно доставки «с 9 до 21».",
        ),
        fears: (
            "That the fridge won't fit the niche or go through the door; that it arrives damaged and the return turns into a month of emails.",
            "Что холодильник не встанет в нишу или не пройдёт в дверь; что его привезут помятым и возврат растянется на месяц переписки.",
        ),
        expectations: (
            "The store takes responsibility end to end: checks the dimensions with him, calls before arrival, connects the new fridge and takes the old one away.",
            "Магазин отвечает за результат от начала до конца: сверит размеры, позвонит перед приездом, подключит новый холодильник и заберёт старый.",
        ),
        about: (
            "Lives with his wife Marina and two school-age children on the fifth floor of an older building with a narrow lift. Researches big purchases in the evenings on a laptop and makes the final call together with Marina; pays by card or in instalments.",
            "Живёт с женой Мариной и двумя детьми-школьниками на пятом этаже старого дома с узким лифтом. Крупные покупки изучает вечерами с ноутбука, окончательно решает вместе с Мариной; платит картой или в рассрочку.",
        ),
    },
    PersonaText {
        name: ("Marina", "Марина"),
        age: 34,
        color: Color::Orange,
        role: ("Marketing manager, Igor's wife", "Маркетолог, жена Игоря"),
        quote: (
            "I just need to know it'll fit — and that I won't lose a whole day waiting for it.",
            "Мне нужно одно: знать, что он встанет на место, и не терять целый день на ожидание.",
        ),
        goals: (
            "A quiet fridge with a big freezer that suits the kitchen; as little disruption to family life as possible.",
            "Тихий холодильник с большой морозилкой, который впишется в кухню; как можно меньше суеты для семьи.",
        ),
        needs: (
            "Photos and real dimensions she can check on her phone, a comparison that works on mobile, updates in a messenger rather than calls at work.",
            "Фото и реальные размеры, которые можно проверить с телефона; сравнение, которое работает на мобильном; уведомления в мессенджере, а не звонки в рабочее время.",
        ),
        pains: (
            "Too many tabs and near-identical specs; friends' advice contradicts itself; nobody answers the chat in the evening.",
            "Слишком много вкладок и почти одинаковых характеристик; советы друзей противоречат друг другу; вечером в чате никто не отвечает.",
        ),
        fears: (
            "Scratched floors and door frames; a compressor humming at night; strangers in the flat all day.",
            "Поцарапанный пол и дверные косяки; гудящий по ночам компрессор; чужие люди в квартире целый день.",
        ),
        expectations: (
            "Careful installers who clean up after themselves; a delivery slot she can plan her day around.",
            "Аккуратные мастера, которые уберут за собой; окно доставки, под которое можно спланировать день.",
        ),
        about: (
            "Works hybrid and runs the family budget and household. Shortlists on her phone on the way to work; she is also the one who stays home for deliveries.",
            "Работает в гибридном формате, ведёт семейный бюджет и быт. Подборки собирает с телефона по дороге на работу; доставку дома ждёт тоже она.",
        ),
    },
];

/// Emotion curves: persona, curve, one score per stage.
const CURVES: [(usize, Curve, [i8; 6]); 3] = [
    (IGOR, Curve::AsIs, [1, 0, -1, 1, -2, 2]),
    (MARINA, Curve::AsIs, [0, -1, 1, 0, -2, 1]),
    (IGOR, Curve::ToBe, [1, 1, 1, 2, 1, 2]),
];

#[derive(Clone, Copy)]
struct Ev {
    source: EvidenceSource,
    date: &'static str,
    quote: Tr,
}

#[derive(Clone, Copy)]
struct Opp {
    impact: u8,
    effort: u8,
    owner: Tr,
    status: OpportunityStatus,
    /// Keys of the pain cards addressed.
    addresses: &'static [&'static str],
}

/// One card of the table, built with the chained `const fn`s below.
#[derive(Clone, Copy)]
struct C {
    stage: usize,
    lane: usize,
    text: Tr,
    persona: Option<usize>,
    channel: Option<Channel>,
    evidence: Option<Ev>,
    link: Option<&'static str>,
    /// Name by which opportunities refer to this card.
    key: &'static str,
    opp: Option<Opp>,
}

const fn c(stage: usize, lane: usize, en: &'static str, ru: &'static str) -> C {
    C {
        stage,
        lane,
        text: (en, ru),
        persona: None,
        channel: None,
        evidence: None,
        link: None,
        key: "",
        opp: None,
    }
}

impl C {
    const fn who(mut self, persona: usize) -> Self {
        self.persona = Some(persona);
        self
    }

    const fn via(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    const fn ev(
        mut self,
        source: EvidenceSource,
        date: &'static str,
        en: &'static str,
        ru: &'static str,
    ) -> Self {
        self.evidence = Some(Ev {
            source,
            date,
            quote: (en, ru),
        });
        self
    }

    const fn link(mut self, url: &'static str) -> Self {
        self.link = Some(url);
        self
    }

    const fn key(mut self, key: &'static str) -> Self {
        self.key = key;
        self
    }

    const fn opp(
        mut self,
        impact: u8,
        effort: u8,
        owner: Tr,
        status: OpportunityStatus,
        addresses: &'static [&'static str],
    ) -> Self {
        self.opp = Some(Opp {
            impact,
            effort,
            owner,
            status,
            addresses,
        });
        self
    }
}

const CARDS: &[C] = &[
    // Awareness
    c(AW, ACT, "Notices the fridge isn't cooling and the freezer keeps icing up", "Замечает, что холодильник плохо холодит, а морозилка постоянно обрастает льдом")
        .who(IGOR)
        .ev(Interview, "2026-02-10", "That month we poured spoiled milk down the sink three times.", "За месяц мы трижды выливали скисшее молоко.")
        .link("https://research.example.com/fridge-2026/interview-03"),
    c(AW, ACT, "Calls a repair technician: the fix would cost almost half the price of a new fridge", "Вызывает мастера: ремонт обойдётся почти в половину стоимости нового холодильника")
        .who(IGOR),
    c(AW, THO, "It's twelve years old — repairing it is throwing money away", "Ему двенадцать лет — чинить значит выбрасывать деньги на ветер")
        .who(IGOR)
        .ev(Interview, "2026-02-10", "Twelve years is a good run. I didn't want to pour money into a repair.", "Двенадцать лет — хороший срок. Вкладываться в ремонт уже не хотелось."),
    c(AW, TP, "Search ads for “buy a fridge”", "Контекстная реклама по запросу «купить холодильник»")
        .via(Ads)
        .ev(Analytics, "2026-03-02", "38 % of new sessions in large appliances come from paid search.", "38 % новых сессий в категории крупной техники приходят из платного поиска."),
    c(AW, TP, "Advice from friends and neighbours in the building's group chat", "Советы друзей и соседей в домовом чате")
        .via(Messenger)
        .who(MARINA),
    c(AW, PAIN, "The breakdown is sudden: no time to research calmly, and every week of delay means spoiled food", "Поломка внезапная: спокойно разобраться некогда, а каждая неделя промедления — это испорченные продукты")
        .key("rush")
        .ev(Interview, "2026-02-12", "I had no idea where to start, and the clock was ticking.", "Я понятия не имел, с чего начать, а время поджимало."),
    c(AW, BACK, "Search campaigns on appliance keywords; budget split by category, not by the customer's situation", "Контекстные кампании по запросам о бытовой технике; бюджет делится по категориям, а не по ситуациям клиента"),
    // Consideration
    c(CO, ACT, "Filters fridges in the catalogue by size, No Frost and energy class; measures the kitchen niche", "Фильтрует холодильники в каталоге по габаритам, No Frost и классу энергопотребления; замеряет нишу на кухне")
        .who(IGOR),
    c(CO, ACT, "Shortlists models on her phone and sends them to Igor in a messenger", "Собирает на телефоне подборку моделей и пересылает Игорю в мессенджер")
        .who(MARINA)
        .ev(Interview, "2026-02-14", "I send him screenshots — easier than links that open in the wrong app.", "Я кидаю ему скриншоты — так проще, чем ссылки, которые открываются не там."),
    c(CO, THO, "Why do two almost identical models differ in price by 20 %?", "Почему две почти одинаковые модели отличаются в цене на 20 %?")
        .who(IGOR),
    c(CO, THO, "Will it really fit — and will the door open fully next to the wall?", "Точно встанет? И откроется ли дверь до конца, если рядом стена?")
        .who(IGOR)
        .ev(Interview, "2026-02-10", "The niche is 60 cm. I measured it three times and still wasn't sure.", "Ниша — 60 см. Я мерил трижды и всё равно не был уверен."),
    c(CO, TP, "Product pages and the comparison tool on the website", "Карточки товаров и сравнение на сайте")
        .via(Website)
        .ev(Analytics, "2026-03-02", "Fridge pages: 4 min 40 s on average, yet only 12 % scroll down to the specs.", "Карточки холодильников: в среднем 4 мин 40 с на странице, но до характеристик долистывают лишь 12 %."),
    c(CO, TP, "Video reviews and comparisons on YouTube", "Видеообзоры и сравнения на YouTube")
        .via(Social),
    c(CO, PAIN, "Specs are incomplete: it's unclear whether the width includes the handles and how much room the door needs", "Характеристики неполные: непонятно, указана ли ширина с ручками и сколько места нужно для открывания двери")
        .key("specs")
        .ev(SupportTicket, "2026-01-28", "Is the 60 cm width with or without the handle? The page doesn't say.", "Ширина 60 см — это с ручкой или без? На странице не сказано.")
        .link("https://support.example.com/tickets/48213"),
    c(CO, PAIN, "The comparison tool is unusable on a phone, so Marina keeps fifteen tabs open", "Сравнением невозможно пользоваться с телефона — у Марины открыто пятнадцать вкладок")
        .who(MARINA)
        .key("compare")
        .ev(Analytics, "2026-03-02", "71 % of comparison sessions are on mobile; 64 % of them end within 30 seconds.", "71 % сессий сравнения — с телефона; 64 % из них заканчиваются в первые 30 секунд."),
    c(CO, PAIN, "Reviews look fake or describe a different model", "Отзывы выглядят накрученными или относятся к другой модели")
        .key("reviews")
        .ev(Survey, "2026-02-20", "“Reviews don't help me choose”: 47 % of respondents (n = 612).", "«Отзывы не помогают выбрать»: 47 % респондентов (n = 612)."),
    c(CO, BACK, "Product content is imported from supplier feeds without checks; nobody owns its completeness", "Карточки товаров заполняются из фидов поставщиков без проверки; за полноту никто не отвечает")
        .ev(Interview, "2026-02-18", "We publish whatever the supplier sends: 4,000 SKUs and two content editors.", "Публикуем то, что прислал поставщик: на 4 000 SKU у нас два контент-редактора."),
    c(CO, OPP, "“Will it fit?” check on every product page: niche, doorways and door swing", "Проверка «Встанет ли?» на каждой карточке: ниша, дверные проёмы и открывание двери")
        .opp(4, 3, ("Product content team", "Команда контента"), Planned, &["specs"]),
    c(CO, OPP, "Mobile-first comparison: up to four models side by side, differences highlighted", "Сравнение для телефона: до четырёх моделей рядом, различия подсвечены")
        .opp(3, 3, ("", ""), Idea, &["compare"]),
    // Decision
    c(DE, ACT, "Goes to the store with Marina to see the two finalists, hear the noise and check the build", "Едет с Мариной в магазин посмотреть двух финалистов вживую, послушать шум и оценить сборку")
        .who(IGOR)
        .ev(Interview, "2026-02-10", "I wanted to open the doors myself. Photos don't tell you how solid it is.", "Хотелось самому открыть двери. По фото не поймёшь, насколько всё добротно."),
    c(DE, ACT, "Calls the contact centre to ask about lifting to the fifth floor and removal of the old fridge", "Звонит в контакт-центр узнать про подъём на пятый этаж и вывоз старого холодильника")
        .who(IGOR),
    c(DE, THO, "It's cheaper online, but here I can see it. Why isn't the price the same?", "Онлайн дешевле, зато здесь можно посмотреть. Почему цена не одинаковая?")
        .who(IGOR),
    c(DE, THO, "I want one company to handle delivery, installation and taking the old one away", "Хочу, чтобы доставку, подключение и вывоз старого взяла на себя одна компания")
        .ev(Survey, "2026-02-20", "68 % would pay more to get delivery, installation and removal in one visit.", "68 % готовы доплатить, чтобы доставка, подключение и вывоз были за один визит."),
    c(DE, TP, "Consultant in the showroom", "Консультант в торговом зале")
        .via(Store)
        .ev(Review, "2026-01-19", "The consultant knew his stuff but couldn't give me the website price.", "Консультант толковый, но цену как на сайте дать не смог."),
    c(DE, TP, "Contact centre hotline", "Горячая линия контакт-центра")
        .via(Phone),
    c(DE, PAIN, "The store price is 8 % higher than online, and the consultant can't match it", "В магазине цена на 8 % выше, чем на сайте, и консультант не может её сравнять")
        .key("price")
        .ev(Interview, "2026-02-10", "I'm standing there with your website open on my phone, and he tells me it's a different price list.", "Стою с вашим сайтом в телефоне, а мне говорят: это другой прайс."),
    c(DE, PAIN, "Eleven minutes on hold to ask one question about delivery", "Одиннадцать минут на линии ради одного вопроса про доставку")
        .key("wait")
        .ev(CallTranscript, "2026-02-11", "I've been on hold for ten minutes just to ask whether you carry it upstairs.", "Я уже десять минут вишу на линии, просто чтобы спросить, поднимаете ли вы на этаж."),
    c(DE, BACK, "Store and online prices are set by different teams from different price lists", "Цены в магазинах и на сайте устанавливают разные команды по разным прайс-листам")
        .ev(Interview, "2026-02-18", "Retail reprices weekly, e-commerce daily — they never line up.", "Розница переоценивает раз в неделю, e-commerce — каждый день. Цены не совпадают никогда."),
    c(DE, BACK, "The contact centre is staffed for weekday daytime peaks; evenings are understaffed", "Контакт-центр укомплектован под дневные пики в будни; вечером операторов не хватает"),
    c(DE, OPP, "One price online and in store; consultants can match the website price from a tablet", "Единая цена на сайте и в магазине; консультант выравнивает цену с планшета")
        .opp(4, 4, ("Head of Retail", "Руководитель розницы"), InProgress, &["price"]),
    // Purchase
    c(PU, ACT, "Orders online and adds lifting to the flat, installation and removal of the old fridge", "Оформляет заказ на сайте, добавляет подъём на этаж, подключение и вывоз старого холодильника")
        .who(IGOR)
        .ev(Analytics, "2026-03-02", "Installation is added to 22 % of fridge orders, removal to 9 %.", "Подключение добавляют в 22 % заказов холодильников, вывоз старого — в 9 %."),
    c(PU, ACT, "Applies for a 0 % instalment plan", "Оформляет рассрочку 0 %")
        .who(IGOR),
    c(PU, THO, "It said “free delivery” — why do I pay extra to get it upstairs?", "Было написано «бесплатная доставка» — почему подъём на этаж за отдельные деньги?")
        .who(IGOR)
        .ev(Review, "2026-01-25", "“Free delivery” turned out to mean “to the door of the building”.", "«Бесплатная доставка» оказалась доставкой до подъезда."),
    c(PU, TP, "Checkout on the website", "Оформление заказа на сайте")
        .via(Website),
    c(PU, TP, "Order confirmation by email and SMS", "Подтверждение заказа по email и SMS")
        .via(Email),
    c(PU, PAIN, "Lifting, installation and removal are priced only at the last checkout step", "Стоимость подъёма, подключения и вывоза видна только на последнем шаге оформления")
        .key("costs")
        .ev(Analytics, "2026-03-02", "60 % of large-appliance carts are abandoned at the delivery options step.", "60 % корзин с крупной техникой бросают на шаге выбора доставки.")
        .link("https://analytics.example.com/funnels/large-appliances-checkout"),
    c(PU, PAIN, "The instalment application asks for the same details twice", "Анкета на рассрочку дважды запрашивает одни и те же данные")
        .key("instalment"),
    c(PU, BACK, "The partner bank's credit check takes up to 15 minutes; meanwhile the order sits in “Awaiting payment”", "Скоринг в банке-партнёре занимает до 15 минут; всё это время заказ висит в статусе «Ожидает оплаты»"),
    c(PU, OPP, "Show the all-in price — delivery, lifting, installation, removal — right on the product page", "Показывать цену «под ключ» — доставка, подъём, подключение, вывоз — сразу на карточке товара")
        .opp(5, 2, ("E-commerce team", "Команда e-commerce"), Done, &["costs"]),
    // Delivery & installation
    c(DL, ACT, "Takes a day off work and waits at home for the delivery", "Берёт отгул и весь день ждёт доставку дома")
        .who(MARINA)
        .ev(Interview, "2026-02-14", "I sat at home from nine till seven. They called twenty minutes before arriving.", "Я сидела дома с девяти до семи. Позвонили за двадцать минут до приезда."),
    c(DL, ACT, "Calls the hotline three times to find out where the courier is", "Трижды звонит на горячую линию, чтобы узнать, где курьер")
        .who(IGOR)
        .ev(CallTranscript, "2026-02-16", "This is my third call today. Can you at least tell me if it's morning or afternoon?", "Звоню уже третий раз за день. Скажите хотя бы — до обеда или после?"),
    c(DL, THO, "A window “from 9 am to 9 pm” — the whole day is gone", "Окно «с 9 до 21» — весь день насмарку")
        .who(MARINA),
    c(DL, THO, "If it's dented, how do I even send back a 90-kilo fridge?", "Если на нём вмятина — как вообще вернуть холодильник весом 90 кг?")
        .who(IGOR),
    c(DL, TP, "Delivery crew and signing the delivery note", "Бригада доставки и подписание накладной")
        .via(Delivery),
    c(DL, TP, "Delivery hotline", "Горячая линия по доставке")
        .via(Phone)
        .ev(Analytics, "2026-03-02", "“Where is my order?” makes up 41 % of all calls about large appliances.", "«Где мой заказ?» — 41 % всех звонков по крупной технике."),
    c(DL, PAIN, "A 12-hour delivery window, and no call until the crew is almost at the door", "Окно доставки — 12 часов, а звонок — только когда бригада уже подъезжает")
        .key("window")
        .ev(Survey, "2026-02-20", "The delivery window is complaint no. 1 in post-delivery surveys (34 % of comments).", "Окно доставки — жалоба № 1 в опросах после доставки (34 % комментариев)."),
    c(DL, PAIN, "Installation is booked separately, and the technician comes on another day", "Подключение оформляется отдельно, и мастер приезжает в другой день")
        .key("install")
        .ev(Review, "2026-01-30", "The fridge stood unplugged for two days waiting for the installer.", "Холодильник два дня простоял неподключённым — ждали мастера.")
        .link("https://reviews.example.com/fridges/r-88412"),
    c(DL, PAIN, "The old fridge isn't taken away: the crew “has no such request”", "Старый холодильник не забрали: у бригады «нет такой заявки»")
        .who(MARINA)
        .key("removal")
        .ev(SupportTicket, "2026-02-17", "We paid for removal, but the old fridge is still standing in our hallway.", "Вывоз оплачен, а старый холодильник до сих пор стоит у нас в коридоре."),
    c(DL, BACK, "Delivery is outsourced to a 3PL; routes are built the evening before", "Доставка отдана подрядчику (3PL); маршруты строятся накануне вечером")
        .ev(Interview, "2026-02-18", "We only get the route at 8 pm the day before, so we can't promise a narrow window.", "Маршрут мы получаем накануне в восемь вечера — узкое окно пообещать не можем."),
    c(DL, BACK, "The installation partner books visits in its own system, not linked to orders", "Партнёр по установке ведёт запись в своей системе, не связанной с заказами"),
    c(DL, OPP, "Two-hour delivery windows, live courier tracking in the app and a call an hour ahead", "Двухчасовые окна доставки, отслеживание курьера в приложении и звонок за час")
        .opp(5, 4, ("Logistics — Anna Petrova", "Логистика — Анна Петрова"), InProgress, &["window", "wait"]),
    c(DL, OPP, "Delivery, installation and removal of the old appliance in one visit by one crew", "Доставка, подключение и вывоз старой техники за один визит одной бригадой")
        .opp(4, 5, ("Service partnerships", "Отдел сервисных партнёров"), Planned, &["install", "removal"]),
    // Usage
    c(US, ACT, "Sets up the temperature zones and connects the fridge to the manufacturer's app", "Настраивает температурные зоны и подключает холодильник к приложению производителя")
        .who(IGOR),
    c(US, ACT, "Leaves a review after the retailer's email", "Оставляет отзыв после письма от магазина")
        .who(MARINA)
        .ev(Review, "2026-03-05", "The fridge is great: quiet and roomy. Four stars, not five — because of the delivery.", "Холодильник отличный: тихий и вместительный. Четыре звезды, а не пять — из-за доставки."),
    c(US, THO, "Quiet and roomy — it was worth the hassle", "Тихий и вместительный — оно того стоило")
        .ev(Survey, "2026-03-10", "Satisfaction with the product: 4.6 of 5; with the delivery: 3.2 of 5.", "Удовлетворённость товаром — 4,6 из 5, доставкой — 3,2 из 5."),
    c(US, THO, "We might buy the dishwasher here too — if they sort out the delivery", "Посудомойку, может, тоже возьмём здесь — если наладят доставку")
        .who(IGOR),
    c(US, TP, "Manufacturer's mobile app", "Мобильное приложение производителя")
        .via(MobileApp),
    c(US, TP, "Review request email on day 7", "Письмо с просьбой оставить отзыв на 7-й день")
        .via(Email)
        .ev(Analytics, "2026-03-02", "Review email: 31 % open it, 4 % leave a review.", "Письмо об отзыве открывают 31 %, отзыв оставляют 4 %."),
    c(US, PAIN, "Registering the extended warranty needs the paper receipt, which went out with the packaging", "Для регистрации расширенной гарантии нужен бумажный чек, а он ушёл в мусор вместе с упаковкой")
        .key("warranty"),
    c(US, BACK, "Post-purchase emails: review request on day 7, NPS survey on day 14, accessories on day 30", "Письма после покупки: отзыв на 7-й день, NPS-опрос на 14-й, аксессуары на 30-й"),
];

pub(super) fn build(b: &mut Builder) {
    for (name, description, metrics) in STAGES {
        let description = b.t(description);
        let metrics = metrics
            .iter()
            .map(
                |&(name, value, unit, target, higher_is_better)| StageMetric {
                    name: b.t(name),
                    value: Num(value),
                    unit: b.t(unit),
                    target: target.map(Num),
                    higher_is_better,
                },
            )
            .collect();
        let stage = b.stage(name);
        stage.description = description;
        stage.metrics = metrics;
    }
    for (name, kind) in LANES {
        b.lane(name, kind);
    }
    for p in &PERSONAS {
        let texts = [
            p.role,
            p.quote,
            p.goals,
            p.needs,
            p.pains,
            p.fears,
            p.expectations,
            p.about,
        ]
        .map(|t| b.t(t));
        let name = b.t(p.name);
        let persona = b.persona(name, p.color);
        persona.age = Some(p.age);
        [
            persona.role,
            persona.quote,
            persona.goals,
            persona.needs,
            persona.pains,
            persona.fears,
            persona.expectations,
            persona.about,
        ] = texts;
    }
    for (persona, curve, scores) in CURVES {
        for (stage, score) in scores.into_iter().enumerate() {
            b.emotion(persona, stage, curve, score);
        }
    }

    // Cards first, then the opportunities' links, which need the pains' ids.
    let mut ids: Vec<CardId> = Vec::with_capacity(CARDS.len());
    let mut keyed: HashMap<&str, CardId> = HashMap::new();
    for spec in CARDS {
        let persona = spec.persona.map(|p| b.personas[p]);
        let evidence: Vec<Evidence> = spec
            .evidence
            .iter()
            .map(|e| Evidence {
                source: e.source,
                quote: b.t(e.quote),
                link: spec.link.map(str::to_owned),
                date: Some(e.date.to_owned()),
            })
            .collect();
        let card = b.card(spec.stage, spec.lane, spec.text);
        card.persona_id = persona;
        card.channel = spec.channel;
        card.evidence = evidence;
        ids.push(card.id);
        if !spec.key.is_empty() {
            let old = keyed.insert(spec.key, card.id);
            assert!(old.is_none(), "card key {} used twice", spec.key);
        }
    }
    for (spec, id) in CARDS.iter().zip(ids) {
        let Some(o) = spec.opp else { continue };
        let opportunity = Opportunity {
            impact: o.impact,
            effort: o.effort,
            owner: b.t(o.owner),
            status: o.status,
            addresses: o
                .addresses
                .iter()
                .map(|k| *keyed.get(k).unwrap_or_else(|| panic!("no card {k}")))
                .collect(),
        };
        if let Some(card) = b.board.cards.get_mut(&id) {
            card.opportunity = Some(opportunity);
        }
    }
}
