package bot

import "fmt"

// catalog holds every sentence a person reads from the bot, in Simplified
// Chinese. Code refers to a sentence by key through t; a test checks that
// every key used exists and that every key here is used.
var catalog = map[string]string{
	// Welcome and help.
	"start.welcome": "您好，%s！我是<b>党务助手</b>，为“两新”组织党务工作者服务：\n\n" +
		"• 直接发给我一个问题（比如“党费怎么交”），我从政策文件里找出答案，并注明出处；\n" +
		"• 登记您的基本信息，由所在区县审核后纳入党务工作者队伍；\n" +
		"• 协调员可以审核登记、导入名单和文件、补充没人答上来的问题。\n\n" +
		"发送 /help 查看您可以使用的命令。",
	"start.back":               "欢迎回来，%s！您的登记状态：%s。\n直接发问题给我即可查询政策，/me 查看和修改个人信息，/help 查看全部命令。",
	"start.group":              "我是党务助手。在群里用 /ask 加问题，或 @我 提问；登记个人信息请私聊我。",
	"help.header":              "<b>可用命令</b>",
	"help.footer":              "在私聊中直接发送问题即可查询政策；在群里请用 /ask 加问题，或 @我。",
	"help.section.worker":      "常用",
	"help.section.coordinator": "协调员",
	"help.section.admin":       "管理员",

	// Command descriptions (the command menu and /help).
	"cmd.start":  "开始使用，查看简介",
	"cmd.help":   "查看可用命令",
	"cmd.cancel": "退出当前操作",

	// Questions and answers.
	"cmd.ask":            "提问：/ask 问题",
	"chat.greeting":      "您好！我是党务助手。直接把问题发给我就行，比如“预备期多长”“工资8000交多少党费”“组织生活会一年开几次”。发送 /help 查看全部命令。",
	"chat.thanks":        "不客气！还有问题随时问我。",
	"chat.hint":          "请用一句话把问题写出来，比如“入党要经过哪些步骤”或“党费怎么交”。",
	"chat.number":        "只收到一个数字。如果想算党费，请这样问：“工资8000交多少党费”，或者发送 /dues 8000。",
	"ask.district_tag":   "【%s的做法】",
	"ask.usage":          "请在 /ask 后面写上问题，例如：/ask 党费怎么交",
	"ask.nothing":        "没有找到相关内容。换个说法试试，或者把问题说得具体一些。您的问题已记录，协调员补充答案后会通知您。",
	"ask.unsure":         "没有找到可靠的答案。最接近的是：",
	"ask.recorded":       "您的问题已记录，协调员补充答案后会通知您。",
	"ask.look":           "看看第 %d 条",
	"ask.faq_heading":    "问：%s",
	"ask.district":       "适用范围：%s（本地做法）",
	"ask.source":         "来源：%s",
	"ask.source_dated":   "来源：%s（%s）",
	"ask.source_unknown": "未注明",
	"ask.other":          "第 %d 条：%s",
	"ask.full":           "查看全文",
	"ask.thanks":         "谢谢反馈！",
	"ask.why":            "这条答案哪里不好？点一个原因，或者直接打字告诉我。",
	"ask.why_buttons":    "这条答案哪里不好？点一个原因。",
	"ask.why.off_topic":  "答非所问",
	"ask.why.outdated":   "内容过时或有误",
	"ask.why.thin":       "不够详细",
	"ask.why.skip":       "不说了",
	"ask.feedback_saved": "已记下您的意见，协调员会据此改进答案。",

	"cmd.me":         "查看和修改个人信息",
	"cmd.privacy":    "我们保存哪些信息、为什么",
	"cmd.deleteme":   "删除我的个人信息",
	"cmd.pending":    "待审核的登记",
	"cmd.members":    "查找党务工作者：/members 姓名或手机号",
	"cmd.unanswered": "没有答上来的问题",
	"cmd.docs":       "知识库文档列表",
	"cmd.grant":      "任命协调员：/grant 用户ID [区县]",
	"cmd.invite":     "生成协调员邀请链接：/invite [区县]",
	"cmd.revoke":     "撤销协调员：/revoke 用户ID",
	"cmd.audit":      "操作记录",

	// Registration and profile.
	"field.name":                "姓名",
	"field.phone":               "手机号",
	"field.district":            "所在区县",
	"field.org":                 "所在单位",
	"field.post":                "岗位",
	"field.education":           "学历",
	"field.start_year":          "从事党务工作年份",
	"reg.step":                  "（第 %d/%d 步）",
	"reg.ask.name":              "请输入您的真实姓名：",
	"reg.ask.phone":             "请点下方“分享手机号”按钮，提供您在 Telegram 绑定的手机号：",
	"reg.ask.district":          "请选择您所在的区县：",
	"reg.ask.org":               "请输入您所在的单位（企业或社会组织）全称：",
	"reg.ask.post":              "请选择您的岗位：",
	"reg.ask.education":         "请选择您的学历：",
	"reg.ask.start_year":        "您是哪一年开始从事党务工作的？请输入四位年份，例如 2019：",
	"reg.current":               "当前：%s",
	"reg.cancel_hint":           "（发送 /cancel 可退出）",
	"reg.share_phone":           "📱 分享手机号",
	"reg.phone_button":          "请点下方“分享手机号”按钮，不用手动输入。如果看不到按钮，请点输入框旁的键盘图标。",
	"reg.press_choice":          "请点上面的按钮选择。",
	"reg.press_confirm":         "请核对上面的信息，点“确认提交”，或点某一项修改。",
	"reg.contact_unexpected":    "现在不需要手机号。要修改手机号，请用 /me。",
	"reg.contact_not_own":       "只能分享您本人的手机号，请点“分享手机号”按钮。",
	"reg.phone_received":        "已收到手机号 %s。",
	"reg.chosen":                "已选%s：%s",
	"reg.confirm":               "<b>请核对您的登记信息</b>",
	"reg.submit":                "✅ 确认提交",
	"reg.fix":                   "改%s",
	"reg.submitted_record":      "登记信息已提交。",
	"reg.approved_at_once":      "登记成功！您的手机号在所在区县的名单中，已自动通过审核。现在可以直接向我提问了。",
	"reg.pending":               "登记已提交，正在等待%s协调员审核，审核结果会通知您。审核期间也可以直接向我提问。",
	"me.header":                 "<b>我的信息</b>",
	"me.status":                 "状态",
	"me.role":                   "角色",
	"me.none":                   "您还没有登记。发送 /start 开始登记。",
	"me.rejected":               "您的登记未通过审核。如有疑问请联系所在区县协调员，或发送 /start 重新登记。",
	"me.updated":                "已更新%s。",
	"status.pending":            "待审核",
	"status.approved":           "已通过审核",
	"status.rejected":           "未通过审核",
	"status.left":               "已退出",
	"status.deleted":            "已删除",
	"role.worker":               "党务工作者",
	"role.admin":                "管理员",
	"role.city_coordinator":     "全市协调员",
	"role.district_coordinator": "%s协调员",

	// Errors in what a person entered or asked for.
	"err.name":                     "姓名需为 2–20 个汉字，不能含字母、数字、表情或符号（少数民族姓名可用“·”分隔）。请重新输入。",
	"err.phone":                    "手机号格式不对，需要 11 位中国大陆手机号。",
	"err.district":                 "没有这个区县。请从列表中选择。",
	"err.org":                      "单位名称需为 1–60 个字，不能含特殊字符。请重新输入。",
	"err.post":                     "请从列表中选择岗位。",
	"err.education":                "请从列表中选择学历。",
	"err.start_year":               "年份不对。请输入四位年份，例如 2019，不能晚于今年。",
	"err.already_registered":       "您已经登记过了。发送 /me 查看或修改。",
	"err.phone_taken":              "这个手机号已被其他人登记。如有疑问请联系所在区县协调员。",
	"err.out_of_scope":             "这个人不在您负责的区县。",
	"err.not_pending":              "这条登记已经处理过了。",
	"err.not_approved":             "只有已通过审核的人员才能标记退出。",
	"err.not_left":                 "这个人没有处于退出状态。",
	"err.invite_expired":           "这个邀请链接已过期，请向管理员要一个新的。",
	"err.invite_used":              "这个邀请链接已经用过了，请向管理员要一个新的。",
	"err.invite_invalid":           "这个邀请链接无效，请检查链接是否完整，或向管理员要一个新的。",
	"err.already_admin":            "您已经是管理员了，不需要邀请链接。",
	"err.reason":                   "请写明原因（1–200 字）。",
	"err.date":                     "日期不对：请用 2026-01-31 这样的格式，且不能晚于今天。",
	"err.user_id":                  "用户 ID 不对。",
	"err.not_found":                "没有找到这个人。",
	"err.unsupported_file":         "文件格式不支持：名单请用 .xlsx 或 .csv。",
	"err.too_many_rows":            "名单行数太多，请拆分成几个文件再发。",
	"err.roster_too_large":         "名单文件太大（或表格解压后过大），请只保留姓名、手机号、区县等需要的列，或拆分成几个文件再发。",
	"err.roster_line_too_long":     "名单中有一行过长（单元格太多，或有引号没有闭合），请检查后再发。",
	"file.unknown_encoding_roster": "读不出名单的文字编码，请在 Excel 中另存为 .xlsx，或存为 UTF-8 编码的 .csv 再发。",
	"file.too_slow":                "“%s”用时太长，已停止读取。请检查文件是否损坏，或拆分成几个较小的文件再发。",
	"file.unknown_encoding":        "读不出“%s”的文字编码，请另存为 UTF-8 编码后再发。",
	"doc.invalid_lines":            "注意：有 %d 行含有无法识别的字符（第一处在第 %d 行），已替换为 �，请核对原文件。",
	"roster.unreadable_text":       "含有无法识别的字符（文件编码可能有误）",

	// Privacy.
	"privacy.text": "<b>我们保存哪些信息</b>\n" +
		"• 您登记的姓名、手机号、区县、单位、岗位、学历、从事党务工作年份：用于区县审核、组织培训和统计；\n" +
		"• 您的 Telegram 账号 ID：用于给您回复和发送通知；\n" +
		"• 您提的问题和对答案的评价：用于改进知识库；\n" +
		"• 状态变动记录（登记、审核、调动、退出）：用于队伍管理。\n\n" +
		"这些信息只有您所在区县和市里的协调员能看到，不对外提供。\n" +
		"发送 /deleteme 可以删除您的个人身份信息（姓名、手机号、单位和账号关联），只保留不含身份的统计数字。",
	"deleteme.confirm": "确定要删除您的个人信息吗？姓名、手机号、单位和 Telegram 账号关联都会被删除，且无法恢复；统计中只保留不含身份的数字。",
	"deleteme.yes":     "确定删除",
	"deleteme.no":      "不删了",
	"deleteme.kept":    "好的，您的信息保持不变。",
	"deleteme.done":    "已删除您的个人信息。以后如需使用，可以发送 /start 重新登记。",

	// Coordinators: registrations and people.
	"pending.new":             "<b>新的登记待审核</b>",
	"pending.card":            "%s · %s\n%s · %s · %s · %d 年起从事党务工作\n手机 %s",
	"pending.verified":        "（已验证）",
	"pending.approve":         "✅ 通过",
	"pending.reject":          "❌ 不通过",
	"pending.none":            "没有待审核的登记。",
	"pending.header":          "待审核的登记共 %d 条：",
	"pending.more":            "还有 %d 条未显示，处理完上面的再发 /pending。",
	"pending.approved":        "已通过：%s",
	"pending.approved_record": "✅ 已通过：%s（%s）",
	"pending.reject_reason":   "请输入不通过%s登记的原因（会告诉对方）：",
	"pending.rejected_record": "已处理：%s 的登记未通过，已通知本人。",
	"pending.you_approved":    "您的登记已通过审核，欢迎加入！发送 /help 查看可以使用的功能。",
	"pending.you_rejected":    "很抱歉，您的登记未通过审核。原因：%s\n如有疑问请联系所在区县协调员，修改后可发送 /start 重新登记。",
	"members.usage":           "请在 /members 后写姓名或手机号（可以只写一部分），例如：/members 张",
	"members.none":            "没有找到。",
	"members.header":          "找到 %d 人：",
	"members.more":            "还有 %d 人未显示，请把条件写得更具体些。",
	"members.history":         "<b>状态变动</b>",
	"members.leave":           "标记退出",
	"members.return":          "恢复在岗",
	"members.leave_ask":       "请输入%s退出的日期和原因，例如：2026-11-20 调离本单位\n（不写日期则按今天计）",
	"members.left":            "已将 %s 标记为退出（%s）。本人仍可查看自己的记录，但不再出现在名单、排名和通知中。",
	"members.returned":        "已恢复：%s",
	"members.you_returned":    "您已恢复为在岗党务工作者。",
	"history.joined":          "登记",
	"history.approved":        "通过审核",
	"history.rejected":        "未通过审核",
	"history.moved":           "从%s调到%s",
	"history.pending":         "等待新区县审核",
	"history.left":            "退出（%s）",
	"history.returned":        "恢复在岗",
	"history.deleted":         "删除个人信息",
	"history.reason":          "，原因：%s",

	// Administrators.
	"grant.usage":           "用法：/grant 用户ID [区县]\n不写区县即为全市协调员。也可以用 /invite [区县] 生成一次性邀请链接。",
	"grant.bad_id":          "“%s”不是有效的用户 ID，应为一串数字。对方可以在 @userinfobot 查到自己的 ID。",
	"grant.done":            "已任命 %d 为%s。",
	"grant.you":             "您已被任命为%s。发送 /help 查看新增的命令。",
	"invite.link":           "%s邀请链接（仅能使用一次，%[3]s 前有效）：\n%[2]s",
	"revoke.usage":          "用法：/revoke 用户ID",
	"revoke.done":           "已撤销 %d 的协调员身份。",
	"revoke.you":            "您的协调员身份已撤销。",
	"audit.header":          "<b>操作记录</b>（最近 %d 条）",
	"audit.none":            "还没有操作记录。",
	"audit.system":          "系统",
	"audit.granted":         "任命协调员",
	"audit.revoked":         "撤销协调员",
	"audit.invite_created":  "生成邀请链接",
	"audit.approved":        "通过登记",
	"audit.rejected":        "不通过登记",
	"audit.left":            "标记退出",
	"audit.returned":        "恢复在岗",
	"audit.roster_imported": "导入名单",
	"audit.erased":          "删除个人信息",

	// Files sent to the bot.
	"file.not_allowed":    "只有协调员可以向我导入文件。有问题请直接打字问我。",
	"file.unsupported":    "不支持“%s”这种文件。名单请发 .xlsx 或 .csv，政策文件请发 .docx、.txt 或 .md。",
	"file.too_big":        "“%s”太大了（%d MB），Telegram 只允许机器人下载 20 MB 以内的文件。",
	"roster.failed":       "名单“%s”无法导入：",
	"roster.unreadable":   "读不出名单“%s”，请确认文件没有损坏、格式是 .xlsx 或 .csv。",
	"roster.bad_column":   "缺少“%s”这一列（第一行应是表头：姓名、手机号、区县、单位、岗位）。",
	"roster.done":         "<b>名单“%s”已导入</b>\n新增 %d 人，更新 %d 人，无变化 %d 人，有问题 %d 行；因名单匹配自动通过审核 %d 人。",
	"roster.problem":      "第 %d 行 %s “%s”：%s",
	"roster.see_line":     "（与第 %d 行重复）",
	"roster.duplicate":    "手机号重复",
	"roster.missing":      "没有填写",
	"roster.out_of_scope": "不在您负责的区县",
	"roster.bad_value":    "内容有误",
	"doc.imported":        "已导入《%s》，共 %d 节，现在就可以搜到。（文档编号 %s）",
	"doc.replaced":        "已更新《%s》，共 %d 节，现在就可以搜到。（文档编号 %s）",
	"doc.not_docx":        "“%s”不是有效的 Word 文档（.docx）。如果是旧版 .doc，请另存为 .docx 再发。",
	"doc.empty":           "“%s”里没有读到文字，未导入。",
	"doc.builtin":         "“%s”与内置文档同名，不能覆盖。请改个文件名再发。",
	"doc.builtin_remove":  "内置文档不能删除。",
	"doc.none":            "知识库里还没有文档。",
	"doc.header":          "<b>知识库文档</b>（共 %d 篇）",
	"doc.sections":        "%d 节",
	"doc.imported_mark":   "导入",
	"doc.remove_hint":     "导入的文档可以删除：",
	"doc.remove":          "删除《%s》",
	"doc.remove_confirm":  "确定删除《%s》吗？删除后就搜不到了。",
	"doc.remove_yes":      "确定删除",
	"doc.removed":         "已删除《%s》。",

	// Document scope: a district coordinator's documents are their district's.
	"doc.owner":                 "归属%s：本区协调员可以更新或删除它。",
	"doc.out_of_scope":          "“%[1]s”没有导入：您只能导入%[2]s的文档。文件开头的 district 请留空或写“%[2]s”；全市或其他区的文档也不能用同一个编号（id）覆盖。",
	"doc.id_taken":              "“%s”没有导入：它的文档编号（id）已被另一个区县或全市的文档占用，不能跨范围覆盖。请改个文件名或 id 再发。",
	"doc.unknown_district":      "“%s”没有导入：文件开头写的区县（district）不在区县名单里。",
	"doc.remove_hint_district":  "您可以删除本区导入的文档：",
	"doc.city_remove":           "这是全市的文档，只有市级协调员和管理员可以删除。",
	"doc.other_district_remove": "这是%s的文档，您只能删除本区的文档。",

	// Duplicates, the questions asked about a .txt or .docx file before it
	// is imported, the document list and the document reader.
	"doc.duplicate":          "“%s”没有导入：知识库里已有内容相同的文档《%s》。如果要更新那篇文档，请用它原来的文件名重新发送。",
	"doc.list_page":          "第 %d/%d 页",
	"doc.open":               "%d 打开",
	"doc.open_hint":          "点编号打开文档，阅读全文。",
	"page.prev":              "◀ 上一页",
	"page.next":              "下一页 ▶",
	"reader.page":            "（第 %d/%d 页）",
	"import.ask_source":      "收到《%s》。请输入它的<b>来源</b>（发文单位或文件名称，例如“中共徐州市委组织部”，不超过 %d 字），回答时会注明出处。没有可填的请点“跳过”。发送 /cancel 放弃导入。",
	"import.skip":            "跳过",
	"import.source_too_long": "来源太长了，请精简到 %d 字以内再发，或点“跳过”。",
	"import.ask_district":    "《%s》适用于哪里？请选择“全市”或一个区县。",
	"import.pick_district":   "请点下面的按钮选择“全市”或一个区县，或者输入区县名称。",
	"import.city":            "全市",

	// Roster header and row problems.
	"roster.duplicate_column": "“%s”这一列出现了两次，请只保留一列再发。",
	"roster.unknown_district": "没有这个区县",

	// Knowledge gaps.
	"gap.none":         "目前没有待补充的问题。",
	"gap.header":       "<b>没有答上来的问题</b>（%d 组，相近的问法已归为一组）",
	"gap.count":        "（%d 次）",
	"gap.more":         "还有 %d 组未显示。",
	"gap.answer":       "答复第 %d 组",
	"gap.ask_answer":   "请输入对这个问题的答复（共 %[2]d 次提问）：\n%[1]s\n\n答复会加入常见问题，并发给所有问过的人。发送 /cancel 放弃。",
	"gap.closed":       "这组问题已经有人答复过了。",
	"gap.empty":        "答复不能为空。",
	"gap.done":         "已加入常见问题：%s\n已通知 %d 位提问人。",
	"gap.answered_you": "您之前问的“%s”有了答复：\n\n%s",

	// A gap of a district the coordinator no longer covers (they moved).
	"gap.out_of_scope": "这组问题不在您现在负责的区县，不能由您答复了。",

	// Generic replies.
	"unknown.command":    "没有这个命令：%s。发送 /help 查看可用命令。",
	"unknown.button":     "这个按钮已失效，请重新操作。",
	"denied.command":     "您没有权限使用这个命令。",
	"cancel.none":        "当前没有进行中的操作。",
	"cancel.done":        "已退出当前操作。",
	"text.empty":         "没有收到文字内容。请直接输入文字。",
	"text.unsupported":   "暂时只能处理文字消息。",
	"text.too_long":      "消息太长了（%d 字），请精简到 %d 字以内再发。",
	"text.fallback":      "收到。发送 /help 查看我能做什么。",
	"error.internal":     "抱歉，处理您的消息时出了问题，已记录下来。请稍后再试。",
	"group.private_only": "这个命令请在私聊中使用：@%s",
}

// t returns the catalog sentence for key, formatted with args.
// A missing key is a programming error caught by the catalog test; at run
// time it degrades to the key itself rather than an empty message.
func t(key string, args ...any) string {
	s, ok := catalog[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
