package bot

import "fmt"

// catalog holds every sentence a person reads from the bot, in Simplified
// Chinese. Code refers to a sentence by key through t; a test checks that
// every key used exists and that every key here is used.
var catalog = map[string]string{
	// Welcome and help.
	"start.welcome": "您好，%s！我是<b>党务助手</b>，为“两新”组织党务工作者服务：\n\n" +
		"• 直接发给我一个问题，我从政策文件里找出答案，并注明出处；\n" +
		"• 学习答题、报名培训和先锋论坛、签到、查看学时与认证等级；\n" +
		"• 协调员可以发布通知、组织活动、导出记录。\n\n" +
		"发送 /help 查看您可以使用的命令。",
	"help.header":              "<b>可用命令</b>",
	"help.footer":              "在私聊中直接发送问题即可查询政策；在群里请用 /ask 加问题，或 @我。",
	"help.section.worker":      "常用",
	"help.section.coordinator": "协调员",
	"help.section.admin":       "管理员",

	// Command descriptions (the command menu and /help).
	"cmd.start":  "开始使用，查看简介",
	"cmd.help":   "查看可用命令",
	"cmd.cancel": "退出当前操作",

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
