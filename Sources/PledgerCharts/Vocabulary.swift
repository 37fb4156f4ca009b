import PledgerDomain

/// The words the pages use, in the domain's terms as a Chinese finance office writes them.
enum Words {
    static let growthTitle = Term("知识产权质押融资增长", "Growth of IP pledge financing")
    static let exposureTitle = Term("风险补偿资金敞口", "Risk-compensation fund exposure")
    static let principal = Term("放款本金", "principal lent")
    static let loans = Term("笔数", "loans")
    static let borrowers = Term("企业数", "borrowers")
    static let year = Term("年度", "year")
    static let period = Term("期间", "period")
    static let yoy = Term("同比", "YoY")
    static let yoyLoans = Term("笔数同比", "YoY loans")
    static let cagr = Term("年均增幅", "CAGR")
    static let target = Term("目标", "target")
    static let targetPath = Term("目标路径", "target path")
    static let perYear = Term("每年", "a year")
    static let ytd = Term("年初至今", "YTD")
    static let partial = Term("不完整期间", "partial")
    static let notBegun = Term("未开始", "not begun")
    static let met = Term("达标", "met")
    static let missed = Term("未达标", "missed")
    static let provisional = Term("暂定", "provisional")
    static let onAverage = Term("按年均", "on average")
    static let everyPeriod = Term("逐期", "period by period")
    static let baseYear = Term("基期", "base")
    static let sameSpanLastYear = Term("去年同期", "same span last year")
    static let wan = Term("万元", "10,000 yuan")
    static let yuan = Term("元", "yuan")
    static let asOf = Term("截至", "as of")
    static let through = Term("至", "through")
    static let verdict = Term("判定", "verdict")
    static let noLoansYet = Term("尚无放款", "no loans yet")

    static let balance = Term("资金余额", "balance")
    static let contributed = Term("累计出资", "contributed")
    static let paidOut = Term("累计代偿", "paid out")
    static let recoveriesReturned = Term("追偿返还", "recoveries returned")
    static let coveredLoans = Term("在保笔数", "covered loans")
    static let coveredOutstanding = Term("在保余额", "covered outstanding")
    static let contingent = Term("或有负债", "contingent liability")
    static let pending = Term("待付代偿", "pending claims")
    static let leverage = Term("放大倍数", "leverage")
    static let maxLeverage = Term("放大倍数上限", "maximum leverage")
    static let coverage = Term("覆盖率", "coverage adequacy")
    static let npl = Term("不良率", "NPL ratio")
    static let threshold = Term("暂停阈值", "suspension threshold")
    static let headroom = Term("可新增纳入额度", "room for new cover")
    static let nonPerforming = Term("不良余额", "non-performing")
    static let fundStatus = Term("资金状态", "fund status")
    static let suspended = Term("已暂停纳入", "enrolment suspended")
    static let open = Term("正常纳入", "open for enrolment")
    static let breached = Term("超限", "breached")
    static let within = Term("未超限", "within limit")
    static let topBorrowers = Term("最大借款企业", "largest borrowers")
    static let borrower = Term("借款企业（统一社会信用代码）", "borrower (USCC)")
    static let bank = Term("银行", "bank")
    static let byBankTable = Term("按银行", "by bank")
    static let monthEnd = Term("月末", "month end")
    static let monthly = Term("逐月数据", "monthly figures")
    static let headline = Term("主要指标", "headline figures")
    static let balanceVsContingent = Term("资金余额与或有负债", "balance against contingent liability")
    static let leverageVsMax = Term("放大倍数与上限", "leverage against its maximum")
    static let nplVsThreshold = Term("不良率与暂停阈值", "NPL ratio against the suspension threshold")

    static let ledgerHead = Term("账本头", "ledger head")
    static let position = Term("位置", "position")
    static let hash = Term("哈希", "hash")
    static let knownAt = Term("账本时点", "known at")
    static let reproduce = Term("复现命令", "reproduce with")
    static let sources = Term("数据来源（JSON）", "sources (JSON)")
    static let verify = Term(
        "同一 as_of 与 known_at 下重新生成，数字与哈希应完全一致；用 pledger verify 核对哈希链。",
        "Regenerated with the same as_of and known_at, every figure and the hash must match; check the chain with pledger verify.")

    static func dimension(_ dimension: GrowthReport.Dimension) -> Term {
        switch dimension {
        case .bank: Term("按银行", "by bank")
        case .kind: Term("按知识产权类型", "by IP kind")
        case .industry: Term("按行业", "by industry")
        case .region: Term("按地区", "by region")
        case .enrolled: Term("按是否纳入风险补偿", "by enrolment in the fund")
        case .scheme: Term("按风险分担方案", "by risk-sharing scheme")
        }
    }

    /// A slice's value as readers know it: an IP kind or an industry by name, others as recorded.
    static func slice(_ value: String, of dimension: GrowthReport.Dimension?) -> Term {
        switch dimension {
        case .kind: return AssetKind(rawValue: value).map(kind) ?? Term(value, value)
        case .industry: return industry(value)
        case .enrolled:
            return value == "enrolled"
                ? Term("已纳入", "enrolled") : value == "not_enrolled" ? Term("未纳入", "not enrolled") : Term(value, value)
        case .scheme: return value == "none" ? Term("未纳入分担方案", "no scheme") : Term(value, value)
        default: return value == "unknown" ? Term("未知", "unknown") : Term(value, value)
        }
    }

    static func kind(_ kind: AssetKind) -> Term {
        switch kind {
        case .patent: Term("发明专利", "patent")
        case .utilityModel: Term("实用新型", "utility model")
        case .design: Term("外观设计", "design")
        case .trademark: Term("商标", "trademark")
        case .copyright: Term("著作权", "copyright")
        case .softwareCopyright: Term("软件著作权", "software copyright")
        case .geographicalIndication: Term("地理标志", "geographical indication")
        case .icLayout: Term("集成电路布图设计", "IC layout design")
        case .plantVariety: Term("植物新品种", "plant variety")
        }
    }

    /// GB/T 4754-2017: a division by name where the district lends most, else its section's
    /// name; the code always stays in front, so nothing is lost by the naming.
    static func industry(_ code: String) -> Term {
        let divisions: [String: Term] = [
            "C34": Term("通用设备制造业", "general machinery"), "C35": Term("专用设备制造业", "special machinery"),
            "C38": Term("电气机械和器材制造业", "electrical machinery"), "C39": Term("计算机、通信和其他电子设备制造业", "electronics"),
            "C13": Term("农副食品加工业", "agri-food processing"), "C26": Term("化学原料和化学制品制造业", "chemicals"),
            "C27": Term("医药制造业", "pharmaceuticals"), "C29": Term("橡胶和塑料制品业", "rubber and plastics"),
            "C30": Term("非金属矿物制品业", "non-metallic minerals"), "C33": Term("金属制品业", "metal products"),
            "C36": Term("汽车制造业", "motor vehicles"), "C37": Term("铁路、船舶、航空航天和其他运输设备制造业", "other transport equipment"),
            "C40": Term("仪器仪表制造业", "instruments"), "D44": Term("电力、热力生产和供应业", "power and heat"),
            "I63": Term("电信、广播电视和卫星传输服务", "telecommunications"), "I64": Term("互联网和相关服务", "internet services"),
            "I65": Term("软件和信息技术服务业", "software and IT services"), "M73": Term("研究和试验发展", "research and development"),
            "M75": Term("科技推广和应用服务业", "technology services"),
        ]
        let sections: [Character: Term] = [
            "A": Term("农、林、牧、渔业", "agriculture"), "B": Term("采矿业", "mining"), "C": Term("制造业", "manufacturing"),
            "D": Term("电力、热力、燃气及水生产和供应业", "utilities"), "E": Term("建筑业", "construction"), "F": Term("批发和零售业", "wholesale and retail"),
            "G": Term("交通运输、仓储和邮政业", "transport"), "H": Term("住宿和餐饮业", "hospitality"),
            "I": Term("信息传输、软件和信息技术服务业", "information and software"),
            "J": Term("金融业", "finance"), "K": Term("房地产业", "real estate"), "L": Term("租赁和商务服务业", "leasing and business services"),
            "M": Term("科学研究和技术服务业", "research and technical services"), "N": Term("水利、环境和公共设施管理业", "environment and public facilities"),
            "O": Term("居民服务、修理和其他服务业", "household services"), "P": Term("教育", "education"), "Q": Term("卫生和社会工作", "health and social work"),
            "R": Term("文化、体育和娱乐业", "culture, sports and entertainment"), "S": Term("公共管理、社会保障和社会组织", "public administration"),
            "T": Term("国际组织", "international organisations"),
        ]
        guard let name = divisions[code] ?? code.first.flatMap({ sections[$0] }) else {
            return code == "unknown" ? Term("未知", "unknown") : Term(code, code)
        }
        return Term("\(code) \(name.zh)", "\(code) \(name.en)")
    }
}
