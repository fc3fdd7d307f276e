"""Everything a citizen reads on the kiosk, in Simplified Chinese first and English.

Kept as data (key -> (zh, en)) so the view-model stays free of prose and a hall can
review every sentence in one place. Words are plain: the kiosk is built for a
75-year-old who has never used one.
"""

from __future__ import annotations

from datetime import datetime

Text = tuple[str, str]

TEXTS: dict[str, Text] = {
    # home and navigation
    "choose_category": ("请选择要办理的业务", "Please choose a service"),
    "choose_item": ("请选择具体事项", "Please choose the matter"),
    "scan_entry": ("扫码 / 刷身份证", "Scan appointment or ID"),
    "staff_entry": ("工作人员", "Staff"),
    "large_on": ("大字模式", "Large text"),
    "large_off": ("标准字号", "Normal text"),
    "lang_switch": ("English", "中文"),
    "home": ("返回首页", "Home"),
    "back": ("返回上一步", "Back"),
    "items_count": ("{n} 项", "{n} items"),
    # item page
    "materials": ("请带齐以下材料", "Please bring"),
    "no_materials": ("无需材料", "Nothing to bring"),
    "promised_days": ("承诺办结时限：{n} 个工作日", "Completed within {n} working days"),
    "promised_now": ("即来即办", "Done on the spot"),
    "windows": ("办理窗口", "Windows"),
    "window_n": ("{n}号窗口", "Window {n}"),
    "waiting_now": ("现在等候 {n} 人", "{n} people waiting now"),
    "waiting_unknown": ("等候人数暂不可知", "Waiting count not known yet"),
    "wait_range": ("预计等候 {lo}–{hi} 分钟", "Estimated wait {lo}–{hi} min"),
    "take_ticket": ("取 号", "Take a ticket"),
    "taking": ("正在取号，请稍候…", "Taking your ticket…"),
    "full_today": ("今日已满", "Fully booked today"),
    "full_today_hint": ("该事项今天的号已取完，请明天再来或到咨询台", "No tickets left today. Please come back tomorrow or ask at the help desk"),
    "paused": ("暂停取号", "Paused"),
    "paused_hint": ("该事项暂停取号，请到咨询台", "Tickets for this item are paused. Please ask at the help desk"),
    # identity and staff
    "identity": ("已读取身份证 {mask}", "ID read: {mask}"),
    "identity_hint": ("请选择要办理的事项", "Now choose what you need"),
    "staff_mode": ("绿色通道取号：{cls}", "Priority ticket: {cls}"),
    "staff_cancel": ("退出绿色通道", "Leave priority mode"),
    "pin_title": ("请输入工作人员密码", "Staff PIN"),
    "pin_ok": ("确定", "OK"),
    "pin_clear": ("清除", "Clear"),
    "pin_wrong": ("密码不正确", "Wrong PIN"),
    "pin_locked": ("密码错误次数过多，请稍后再试", "Too many wrong PINs. Try again later"),
    "priority_title": ("请选择优先类别", "Choose the priority class"),
    # scanning
    "scan_title": ("请扫描预约码或身份证", "Scan your appointment code or ID"),
    "scan_hint": ("把手机上的预约二维码或身份证条码对准下方扫描口", "Hold the appointment QR code or the ID barcode under the scanner below"),
    "scan_wait": ("等待扫描…", "Waiting for a scan…"),
    "scan_ticket": ("这是排队号票 {number}，请留意叫号", "This is ticket {number}. Please listen for your number"),
    "checking_in": ("正在签到，请稍候…", "Checking you in…"),
    # result
    "your_number": ("您的号码", "Your number"),
    "priority_badge": ("绿色通道", "Priority"),
    "ahead": ("前面还有 {n} 人", "{n} people ahead of you"),
    "go_windows": ("请留意叫号，到{windows}办理", "Listen for your number and go to {windows}"),
    "take_paper": ("请取走号票", "Please take your ticket"),
    "print_failed": ("号票没有打印出来", "Your ticket could not be printed"),
    "print_failed_hint": ("请拍照或记下上面的号码，并到咨询台告诉工作人员。您的号码有效，请留意叫号。",
                          "Please photograph or write down the number above and tell the help desk. Your number is valid; listen for it."),
    # problems
    "offline": ("系统连接中断，请到咨询台", "The system is offline. Please go to the help desk"),
    "offline_banner": ("系统连接中断，暂不能取号，请到咨询台", "Offline: no tickets right now. Please go to the help desk"),
    "printer_banner": ("打印机故障：号码将显示在屏幕上", "Printer fault: your number will be shown on screen"),
    "help_desk": ("如需帮助，请到咨询台", "For help, please go to the help desk"),
    "refused_title": ("暂时不能取号", "No ticket this time"),
    "ok": ("知道了", "OK"),
}

# Why a scan was refused, in plain words (keys from devices.codes / devices.id_number).
SCAN_REASONS: dict[str, Text] = {
    "scan_empty": ("没有读到内容，请再扫一次", "Nothing was read. Please scan again"),
    "scan_too_long": ("这个码太长，无法识别", "This code is too long to read"),
    "scan_not_printable": ("这个码无法识别，请再扫一次", "This code could not be read. Please scan again"),
    "scan_unknown_format": ("这不是预约码或身份证号", "This is not an appointment code or an ID number"),
    "appointment_bad_check": ("预约码有误，请核对后再扫", "The appointment code is wrong. Please check it"),
    "ticket_bad_payload": ("这张号票无法识别", "This ticket could not be read"),
    "id_wrong_length": ("身份证号码位数不对", "The ID number has the wrong length"),
    "id_bad_characters": ("身份证号码里有不该有的字符", "The ID number has wrong characters"),
    "id_bad_area": ("身份证号码的地区码不对", "The ID number's area code is wrong"),
    "id_bad_birth_date": ("身份证号码里的出生日期不对", "The birth date in the ID number is wrong"),
    "id_bad_check_digit": ("身份证号码最后一位校验不对，可能读错了，请再扫一次",
                           "The ID number's last character does not match. Please scan again"),
}

# What to do after a server refusal, added below the server's own message.
REFUSAL_HINTS: dict[str, Text] = {
    "id_limit_reached": ("如确需继续办理，请到咨询台", "If you still need help today, please go to the help desk"),
    "already_queuing": ("请留意叫号，不必重复取号", "Please wait for your number; no need for another ticket"),
    "daily_cap_reached": ("请明天再来，或到咨询台预约", "Please come back tomorrow or book at the help desk"),
    "outside_business_hours": ("请在办公时间内取号", "Please come during opening hours"),
}

PRINTER_REASONS: dict[str, Text] = {
    "paper_out": ("打印机缺纸", "Printer out of paper"),
    "paper_near_end": ("打印纸即将用完", "Paper nearly out"),
    "cover_open": ("打印机盖未关好", "Printer cover open"),
    "printer_error": ("打印机故障", "Printer error"),
    "not_answering": ("打印机无响应", "Printer not answering"),
    "unplugged": ("打印机未连接", "Printer not connected"),
    "write_failed": ("打印失败", "Printing failed"),
}

_WEEKDAYS_ZH = "一二三四五六日"


def pick(text: Text, lang: str) -> str:
    return text[1] if lang == "en" else text[0]


def tr(key: str, lang: str, **fmt: object) -> str:
    """The text for ``key`` in ``lang`` ("zh" or "en"), formatted."""
    return pick(TEXTS[key], lang).format(**fmt)


def clock_text(now: datetime, lang: str) -> str:
    """Date, weekday and time as the hall says it (hall local time)."""
    if lang == "en":
        return now.strftime("%a %d %b %Y  %H:%M")
    return f"{now.year}年{now.month}月{now.day}日 星期{_WEEKDAYS_ZH[now.weekday()]}  {now:%H:%M}"
